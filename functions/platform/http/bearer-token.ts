/**
 * `Authorization: Bearer <token>` against a configured token, compared in constant time; the 401
 * carries `WWW-Authenticate: Bearer`. Where no token is configured the routes behind it never
 * open: either they do not exist (404, an API nobody enabled), or the service says it is not set
 * up (503, an API that must always have one).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { matchesSecret } from '../constant-time';
import { apiError } from './http-errors';

/** The token in an Authorization header (the scheme is case-insensitive, RFC 9110 §11.1), if any. */
export function bearerOf(header: string | undefined): string | undefined {
  return /^Bearer +(.+)$/i.exec(header ?? '')?.[1];
}

/** Throws 401 unless `header` carries `token`; the reason goes on the access-log line. */
export function assertBearer(header: string | undefined, token: string, log: Record<string, unknown>): void {
  const given = bearerOf(header);
  if (!given || !matchesSecret(given, token)) {
    log.reason = given ? 'bad_token' : 'missing_token';
    throw apiError(401, 'unauthorized', 'a valid Authorization: Bearer token is required', { headers: { 'www-authenticate': 'Bearer' } });
  }
}

/** Middleware: the request must carry the token `tokenOf` gives for it (see the module comment for `whenUnset`). */
export function requireBearer<E extends { Variables: { accessLog: Record<string, unknown> } }>(
  tokenOf: (c: Context<E>) => string | undefined,
  whenUnset: 'not_found' | 'unavailable',
): MiddlewareHandler<E> {
  return async function bearerToken(c, next) {
    const token = tokenOf(c);
    if (token === undefined && whenUnset === 'not_found') throw apiError(404, 'not_found', `no route for ${c.req.method} ${c.req.path}`);
    if (token === undefined) throw apiError(503, 'api_token_unset', 'this API has no token configured; its host makes one at first start');
    assertBearer(c.req.header('authorization'), token, c.var.accessLog);
    await next();
  };
}
