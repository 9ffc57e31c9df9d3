/**
 * Authentication middleware of the receiver's routes. It checks the secret header before any
 * body is read, reads the raw body once (bounded) when the route takes one, verifies a Standard
 * Webhooks signature over exactly those bytes, and hands the body on as `c.var.rawBody`, so the
 * handler reads straight down: parse, validate, act, answer.
 */
import type { MiddlewareHandler } from 'hono';
import { apiError } from '../../platform/http/http-errors';
import { peerAddress } from '../../platform/http/peer-address';
import { assertJsonContentType, readBodyText } from '../../platform/http/json-request';
import { authenticateHeaders, authenticateSignature, type AuthFailure } from './credentials';
import type { ReceiverApp } from '../types';

export interface AuthenticateOptions {
  /** Largest body, when the route's is not a webhook's (MAX_BODY_BYTES). */
  maxBytes?: number;
}

/** The emitter's routes (intake, receipts): a JSON body (415 otherwise), WEBHOOK_REQUIRE_SIGNATURE honoured. */
export function authenticate(options: AuthenticateOptions = {}): MiddlewareHandler<ReceiverApp> {
  return async function authenticateRequest(c, next) {
    const config = c.var.config;
    const headers = c.req.raw.headers;
    c.var.accessLog.webhook_id = headers.get('webhook-id') ?? undefined;
    const pre = await authenticateHeaders(headers, config, config.WEBHOOK_REQUIRE_SIGNATURE);
    if (!pre.ok) throw unauthorized(c.req.raw, c.var.accessLog, pre.reason);
    assertJsonContentType(c.req.raw);
    const rawBody = await readBodyText(c.req.raw, options.maxBytes ?? config.MAX_BODY_BYTES);
    if (pre.signed) {
      const verified = authenticateSignature(headers, rawBody, config);
      if (!verified.ok) throw unauthorized(c.req.raw, c.var.accessLog, verified.reason);
    }
    c.set('rawBody', rawBody);
    await next();
    // The emitter (and doctor) compare their clock with this one: a skew past the signature window is named as such.
    c.res.headers.set('date', new Date().toUTCString());
  };
}

/** 401, with the reason and the caller's address on the access-log line (never what it sent as a secret). */
function unauthorized(request: Request, log: Record<string, unknown>, reason: AuthFailure) {
  Object.assign(log, {
    reason,
    client_ip: peerAddress(request),
    forwarded_for: request.headers.get('x-forwarded-for')?.slice(0, 200) ?? undefined,
  });
  // A stale timestamp comes with a valid-looking signature: its own code, and this clock's Date, let the
  // emitter say "clock skew" rather than "the secrets differ".
  const headers = { 'www-authenticate': 'X-Webhook-Secret', date: new Date().toUTCString() };
  if (reason === 'stale_timestamp') return apiError(401, 'stale_timestamp', 'webhook-timestamp is outside the accepted window of 5 minutes: the two clocks differ', { headers });
  return apiError(401, 'unauthorized', 'authentication failed', { headers });
}
