/**
 * Guard of POST /__internal/sweep, how the host drives a function's periodic work under plain
 * workerd (which has no cron): the route answers 404, as if absent, unless the caller holds the
 * host's per-start SWEEP_TOKEN.
 */
import type { MiddlewareHandler } from 'hono';
import { SWEEP_TOKEN_HEADER } from '../../host-contract/wire-names';
import { matchesSecret } from '../constant-time';
import { noRoute } from './http-errors';

export const requireSweepToken: MiddlewareHandler<{ Variables: { config: { SWEEP_TOKEN?: string | undefined } } }> =
  async function requireSweepToken(c, next) {
    const expected = c.var.config.SWEEP_TOKEN;
    const given = c.req.header(SWEEP_TOKEN_HEADER);
    if (!expected || !given || !matchesSecret(given, expected)) throw noRoute(c);
    await next();
  };
