/**
 * Per-request plumbing shared by both functions: a request id, validated config, the request's
 * database, a logger that carries the request id, and one access-log line per request with whatever fields the route
 * added through `c.var.accessLog` (event, domain, webhook-id, auth failure reason, ...).
 */
import type { MiddlewareHandler } from 'hono';
import { createServices, type ServiceBindings, type Services } from '../services';
import type { z } from 'zod';
import { ConfigError, configCache } from '../settings/config';
import { apiError } from './http-errors';
import { createLogger, type LogFields, type LogLevel, type Logger } from '../logger';

/** Variables every route can read through `c.var`. */
export interface RequestVariables<C> {
  requestId: string;
  config: C;
  /** This request's database, clock, randomness, outbound fetch and logger (no route opens a database or reads the time itself). */
  services: Services;
  logger: Logger;
  /** Fields the route wants on the access-log line. */
  accessLog: LogFields;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * True when nothing can serve the worker's database: a `file:` URL (the default) with no LIBSQL
 * binding. That is `wrangler dev` run on its own, without the loop (`npm run dev`) or the host
 * (`npm start`, `npm run serve`) that serve the SQLite file.
 */
function withoutDatabase(env: { DATABASE_URL?: unknown; LIBSQL?: unknown }): boolean {
  return env.LIBSQL === undefined && (typeof env.DATABASE_URL !== 'string' || env.DATABASE_URL.startsWith('file:'));
}

/**
 * Middleware: checks that the worker can reach its database and validates config (answering 503
 * `not_wired` or 500 `misconfigured` if the environment is wrong, which the serve process and the
 * developer loop prevent by checking it first), then times the request and logs it.
 */
export function requestContext<S extends z.ZodType<{ LOG_LEVEL: LogLevel }>>(
  schema: S,
  service: string,
): MiddlewareHandler<{ Variables: RequestVariables<z.infer<S>> }> {
  const configFor = configCache(schema);
  return async function requestContextMiddleware(c, next) {
    // Elapsed time for the access log: a monotonic reading, not the services' clock (which a test may hold still).
    const started = performance.now();
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    if (withoutDatabase(c.env as object)) {
      createLogger('error', { service }).error('no database: this worker was started without the loop or the host that serve its SQLite file');
      throw apiError(503, 'not_wired', 'this worker has no database: start it with `npm run dev` (or `npm start`), not `wrangler dev` alone');
    }
    let config: z.infer<S>;
    try {
      config = configFor(c.env as object);
    } catch (err) {
      createLogger('error', { service }).error('configuration rejected', {
        problems: err instanceof ConfigError ? err.problems : [(err as Error).message],
      });
      throw apiError(500, 'misconfigured', 'the service is misconfigured; see its log');
    }
    const logger = createLogger(config.LOG_LEVEL, { service, request_id: requestId });
    c.set('requestId', requestId);
    c.set('config', config);
    c.set('services', createServices(c.env as ServiceBindings, logger));
    c.set('logger', logger);
    c.set('accessLog', {});
    await next();
    c.res.headers.set('x-request-id', requestId);
    const status = c.res.status;
    // Routes polled by machines (the sweep) mark uneventful calls quiet: logged at debug only.
    const { quiet, ...fields } = c.var.accessLog;
    const level: LogLevel = status >= 500 ? 'error' : status >= 400 ? 'warn' : quiet ? 'debug' : 'info';
    logger[level]('request', {
      method: c.req.method,
      path: c.req.path,
      status,
      ms: Math.round(performance.now() - started),
      ...fields,
    });
  };
}
