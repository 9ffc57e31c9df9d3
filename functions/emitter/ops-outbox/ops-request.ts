/**
 * A request from the emitter to Ops (a delivery, a receipts question): JSON, with a Standard
 * Webhooks signature over exactly the body sent and, unless OPS_WEBHOOK_SEND_SECRET_HEADER is
 * false, the shared secret header too; bounded by OPS_WEBHOOK_TIMEOUT_MS, and never following a
 * redirect (a 3xx is an answer, not a new target).
 */
import { signatureHeaders } from '../../contract/signing';
import { USER_AGENT } from '../../platform/version';
import type { EmitterConfig } from '../config';

export function opsRequest(
  config: EmitterConfig,
  to: { url: string | URL; messageId: string; body: string; at: number; headers?: Record<string, string> },
): Request {
  return new Request(to.url, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      ...(config.OPS_WEBHOOK_SEND_SECRET_HEADER ? { 'x-webhook-secret': config.OPS_WEBHOOK_SECRET } : {}),
      ...to.headers,
      ...signatureHeaders(config.OPS_WEBHOOK_SECRET, to.messageId, to.body, new Date(to.at)),
    },
    body: to.body,
    signal: AbortSignal.timeout(config.OPS_WEBHOOK_TIMEOUT_MS),
  });
}

/**
 * What an attempt records of a request that got no answer. workerd does not tell a worker why a
 * TLS handshake failed (it throws "internal error; reference = …" and writes the reason, such as
 * an unknown issuer, to its own log under that reference), so over https that error is named for
 * what it is, with the reference to find the reason by.
 */
export function describeFetchError(err: Error, url: string | URL, timeoutMs: number): string {
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `timeout after ${timeoutMs} ms`;
  const reference = /internal error; reference = (\w+)/.exec(err.message)?.[1];
  if (reference && String(url).startsWith('https:')) {
    return `TLS handshake failed: the receiver's certificate did not verify, or it refused this client's certificate (the reason is in the host's log under reference ${reference})`;
  }
  return `network error: ${err.message}`.slice(0, 300);
}
