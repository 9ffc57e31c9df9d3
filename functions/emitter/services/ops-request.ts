/**
 * A request from the emitter to Ops (a delivery, a receipts question): JSON, with the shared
 * secret header and a Standard Webhooks signature over exactly the body sent, bounded by
 * OPS_WEBHOOK_TIMEOUT_MS, and never following a redirect (a 3xx is an answer, not a new target).
 */
import { signatureHeaders } from '../../shared/signing';
import { USER_AGENT } from '../../shared/version';
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
      'x-webhook-secret': config.OPS_WEBHOOK_SECRET,
      ...to.headers,
      ...signatureHeaders(config.OPS_WEBHOOK_SECRET, to.messageId, to.body, new Date(to.at)),
    },
    body: to.body,
    signal: AbortSignal.timeout(config.OPS_WEBHOOK_TIMEOUT_MS),
  });
}
