/** Header carrying SWEEP_TOKEN on POST /__internal/sweep (a module of its own: the host reads it without loading zod). */
export const SWEEP_TOKEN_HEADER = 'x-sweep-token';
