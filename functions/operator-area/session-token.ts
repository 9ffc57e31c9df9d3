/**
 * Session tokens: a random opaque value in the person's cookie, and its SHA-256, the only form the
 * database holds, so a copy of the database signs nobody in.
 */
import { toBase64Url } from './password';

/** A random opaque token (a session cookie's value) and its SHA-256, the only form stored. */
export async function newSessionToken(): Promise<{ token: string; digest: string }> {
  const token = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  return { token, digest: await tokenDigest(token) };
}

export async function tokenDigest(token: string): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))));
}
