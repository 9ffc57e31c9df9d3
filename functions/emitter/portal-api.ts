/**
 * What the portal's API routes (events, deliveries) share in their declarations: the bearer
 * token scheme that opens them (the app requires it on every `/v1` path).
 */
import type { Env } from 'hono';
import type { ApiRoutes } from '../shared/openapi/api-routes';

export const PORTAL_API_SECURITY: Record<string, string[]>[] = [{ apiToken: [] }];

/** `routes`, with the scheme {@link PORTAL_API_SECURITY} names. */
export function withApiTokenScheme<E extends Env>(routes: ApiRoutes<E>): ApiRoutes<E> {
  return routes.component('securitySchemes', 'apiToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'EMITTER_API_TOKEN, or the token the host made at first start (the file beside the database); always required.',
  });
}
