/**
 * The names the host and the functions must agree on, written once: the header that marks which
 * listener a request came in on, the listeners' names, and the header carrying the sweep token.
 * No dependencies, so the long-running host reads them without loading zod or Hono.
 */

/** The header workerd sets from the socket a request arrived on (replacing any such header a client sent). */
export const LISTENER_HEADER = 'x-ops-webhook-listener';

/** The listeners: machines (PORT), people (OPERATOR_PORT), and the host's own calls beside a TLS listener. */
export const LISTENERS = ['machine', 'operator', 'internal'] as const;
export type Listener = (typeof LISTENERS)[number];

/** Header carrying SWEEP_TOKEN on the host's sweep call. */
export const SWEEP_TOKEN_HEADER = 'x-sweep-token';

/** Where the host calls a function's sweep. */
export const SWEEP_PATH = '/__internal/sweep';
