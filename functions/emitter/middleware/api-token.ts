/** Bearer-token check of the emitter's /v1 API, active when EMITTER_API_TOKEN is set. */
import type { MiddlewareHandler } from 'hono';
import { matchesSecret } from '../../shared/constant-time';
import { apiError } from '../../shared/http-errors';
import type { EmitterApp } from '../types';

export const requireApiToken: MiddlewareHandler<EmitterApp> = async function requireApiToken(c, next) {
  const token = c.var.config.EMITTER_API_TOKEN;
  if (token) {
    // The scheme is case-insensitive (RFC 9110 §11.1): `bearer` and `BEARER` are Bearer too.
    const given = /^Bearer +(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (!given || !matchesSecret(given, token)) {
      c.var.log.reason = given ? 'bad_token' : 'missing_token';
      throw apiError(401, 'unauthorized', 'a valid Authorization: Bearer token is required', {
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
  }
  await next();
};
