/**
 * Who may call the receiver: a caller holding the shared secret (`X-Webhook-Secret`, current
 * or previous during rotation), or one that signed the request the Standard Webhooks way.
 * Two steps, because the header check needs no body and the signature needs the raw one.
 */
import { matchesSecret } from '../../platform/constant-time';
import { SIGNATURE_HEADER_NAMES, verifySignature } from '../../contract/signing';
import type { ReceiverConfig } from '../config';

export type AuthFailure = 'missing_secret' | 'bad_secret' | 'missing_signature' | 'bad_signature' | 'stale_timestamp';

export type PreAuth = { ok: true; signed: boolean } | { ok: false; reason: AuthFailure };

export const SECRET_HEADER = 'x-webhook-secret';

/** Secrets accepted now, current first. */
export function acceptedSecrets(config: ReceiverConfig): string[] {
  return config.WEBHOOK_SECRET_PREVIOUS ? [config.WEBHOOK_SECRET, config.WEBHOOK_SECRET_PREVIOUS] : [config.WEBHOOK_SECRET];
}

/**
 * Step 1, before the body is read: a secret header, if sent, must match; a request with neither
 * a secret nor signature headers fails; with `requireSignature` the signature is mandatory.
 */
export async function authenticateHeaders(headers: Headers, config: ReceiverConfig, requireSignature: boolean): Promise<PreAuth> {
  const signed = SIGNATURE_HEADER_NAMES.some((h) => headers.has(h));
  const secret = headers.get(SECRET_HEADER);
  if (secret !== null && !matchesSecret(secret, ...acceptedSecrets(config))) {
    return { ok: false, reason: 'bad_secret' };
  }
  if (requireSignature && !signed) return { ok: false, reason: 'missing_signature' };
  if (secret === null && !signed) return { ok: false, reason: 'missing_secret' };
  return { ok: true, signed };
}

/**
 * Step 2, once the raw body is read: signature headers that are present must verify, even when
 * a good secret header came too (a forged or replayed signature is never waved through).
 */
export function authenticateSignature(
  headers: Headers,
  rawBody: string,
  config: ReceiverConfig,
): { ok: true } | { ok: false; reason: AuthFailure } {
  const values: Record<string, string> = {};
  for (const name of SIGNATURE_HEADER_NAMES) {
    const value = headers.get(name);
    if (value === null) return { ok: false, reason: 'bad_signature' };
    values[name] = value;
  }
  return verifySignature(acceptedSecrets(config), values, rawBody);
}
