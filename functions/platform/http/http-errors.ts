/**
 * The one error shape every route answers with, `{"error":{"code","message"}}`, and the Hono
 * handlers that produce it: expected failures are thrown as HTTPException via {@link apiError};
 * anything else is logged once and answered 500 without internals.
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from '../logger';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** A JSON error response in the project's shape. */
export function errorResponse(
  status: ContentfulStatusCode,
  code: string,
  message: string,
  extra: { details?: unknown; headers?: Record<string, string> } = {},
): Response {
  const body: ErrorBody = { error: { code, message } };
  if (extra.details !== undefined) body.error.details = extra.details;
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...extra.headers },
  });
}

/** An HTTPException carrying a response in the project's error shape; throw it from any handler. */
export function apiError(
  status: ContentfulStatusCode,
  code: string,
  message: string,
  extra: { details?: unknown; headers?: Record<string, string> } = {},
): HTTPException {
  return new HTTPException(status, { message, res: errorResponse(status, code, message, extra) });
}

/** Builds the `onError` handler; `loggerOf` finds the request's logger. */
export function errorHandler(loggerOf: (c: Context) => Logger): ErrorHandler {
  return function onError(err, c) {
    if (err instanceof HTTPException) {
      const res = err.getResponse();
      if (res.headers.get('content-type')?.includes('application/json')) return res;
      // Hono's own exceptions (e.g. from middleware) carry plain text: keep the status, fix the shape.
      return errorResponse(err.status as ContentfulStatusCode, 'http_error', err.message || res.statusText);
    }
    loggerOf(c).error('unhandled error', {
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    });
    return errorResponse(500, 'internal_error', 'internal error; the request was not processed');
  };
}

/** The 404 of a path that is not served here; throw it where a path must look absent (the sweep without its token, a listener's foreign path). */
export function noRoute(c: Context): HTTPException {
  return apiError(404, 'not_found', `no route for ${c.req.method} ${c.req.path}`);
}

/** `notFound` handler answering 404 in the project's shape. */
export const notFoundHandler: NotFoundHandler = function notFound(c) {
  return noRoute(c).getResponse();
};

/** A handler for known paths hit with the wrong method: 405 with an `Allow` header. */
export function methodNotAllowed(allowed: string[]) {
  return function methodNotAllowedHandler(c: Context): Response {
    return errorResponse(405, 'method_not_allowed', `${c.req.method} is not allowed here; use ${allowed.join(', ')}`, {
      headers: { allow: allowed.join(', ') },
    });
  };
}
