/**
 * Standard Webhooks signatures (`webhook-id`, `webhook-timestamp`, `webhook-signature`), made and
 * checked with the `standardwebhooks` reference library so that any conforming peer interoperates.
 *
 * Key material: a secret starting with `whsec_` is base64-decoded (the Standard Webhooks form);
 * any other secret is used as its UTF-8 bytes. Several secrets may verify (key rotation).
 */
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

export const SIGNATURE_HEADER_NAMES = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

const encoder = new TextEncoder();

function webhookFor(secret: string): Webhook {
  return secret.startsWith('whsec_') ? new Webhook(secret) : new Webhook(encoder.encode(secret), { format: 'raw' });
}

/** Signs `body` as message `msgId` at `timestamp`; returns the `webhook-signature` value (`v1,<base64>`). */
export function signPayload(secret: string, msgId: string, timestamp: Date, body: string): string {
  return webhookFor(secret).sign(msgId, timestamp, body);
}

/** The three Standard Webhooks headers for one delivery. */
export function signatureHeaders(secret: string, msgId: string, body: string, now = new Date()): Record<string, string> {
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': signPayload(secret, msgId, now, body),
  };
}

/** How far a webhook-timestamp may be from the receiver's clock (the Standard Webhooks library's window). */
export const SIGNATURE_TOLERANCE_S = 300;

export type VerifyResult = { ok: true } | { ok: false; reason: 'bad_signature' | 'stale_timestamp' };

/**
 * Verifies the signature headers over the raw body against each secret in turn (the library
 * enforces the ±5 minute replay window). A timestamp
 * outside the window fails as `stale_timestamp` whatever the key; otherwise `bad_signature`
 * unless some secret matches.
 */
export function verifySignature(secrets: string[], headers: Record<string, string>, rawBody: string): VerifyResult {
  for (const secret of secrets) {
    try {
      webhookFor(secret).verify(rawBody, headers, { jsonParse: false });
      return { ok: true };
    } catch (err) {
      if (!(err instanceof WebhookVerificationError)) throw err;
      if (/timestamp too (old|new)/.test(err.message)) return { ok: false, reason: 'stale_timestamp' };
      // "No matching signature found" or malformed headers: try the next key.
    }
  }
  return { ok: false, reason: 'bad_signature' };
}
