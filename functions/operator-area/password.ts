/**
 * Operator passwords: salted PBKDF2-SHA256 through WebCrypto, so the same code hashes them in
 * Node (`npm run operator-hash`) and verifies them in workerd. An entry of OPERATOR_USERS is
 * `NAME:pbkdf2-sha256$<iterations>$<salt, base64url>$<hash, base64url>`.
 */

/** workerd's WebCrypto refuses more PBKDF2 iterations than this; it is also the minimum we accept. */
export const PBKDF2_ITERATIONS = 100_000;

export const MIN_PASSWORD_LENGTH = 12;

const SCHEME = 'pbkdf2-sha256';
const OPERATOR_NAME = /^[A-Za-z0-9._-]{1,64}$/;

export interface OperatorCredential {
  name: string;
  /** Tells this entry from any other for the same name (its salt, new with every `operator-hash`): a session made under another ends. */
  fingerprint: string;
  iterations: number;
  salt: Uint8Array<ArrayBuffer>;
  hash: Uint8Array;
}

export function toBase64Url(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256);
  return new Uint8Array(bits);
}

/** A complete OPERATOR_USERS entry for `name` with `password` (refused when too short or the name is not plain). */
export async function operatorEntry(name: string, password: string): Promise<string> {
  if (!OPERATOR_NAME.test(name)) throw new Error('the name may hold only letters, digits and . _ - (1 to 64)');
  if ([...password].length < MIN_PASSWORD_LENGTH) throw new Error(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, salt, PBKDF2_ITERATIONS);
  return `${name}:${SCHEME}$${PBKDF2_ITERATIONS}$${toBase64Url(salt)}$${toBase64Url(hash)}`;
}

/** Parses OPERATOR_USERS; throws naming the first bad entry by position (never echoing it). */
export function parseOperatorUsers(text: string): OperatorCredential[] {
  const entries = text.split(',').map((e) => e.trim()).filter(Boolean);
  const names = new Set<string>();
  return entries.map((entry, i) => {
    const match = /^([^:]+):pbkdf2-sha256\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(entry);
    if (!match) throw new Error(`entry ${i + 1} is not NAME:pbkdf2-sha256$… (make one with npm run operator-hash)`);
    const [, name, iterations, salt, hash] = match;
    if (!OPERATOR_NAME.test(name!)) throw new Error(`entry ${i + 1} has a name other than letters, digits and . _ -`);
    if (names.has(name!)) throw new Error(`entry ${i + 1} repeats the name ${name}`);
    names.add(name!);
    if (Number(iterations) !== PBKDF2_ITERATIONS) throw new Error(`entry ${i + 1} must use ${PBKDF2_ITERATIONS} iterations`);
    return { name: name!, fingerprint: salt!, iterations: Number(iterations), salt: fromBase64Url(salt!), hash: fromBase64Url(hash!) };
  });
}

/** True when `password` is the credential's; compares in constant time. */
export async function verifyPassword(credential: OperatorCredential, password: string): Promise<boolean> {
  const derived = await derive(password, credential.salt, credential.iterations);
  if (derived.length !== credential.hash.length) return false;
  let diff = 0;
  for (let i = 0; i < derived.length; i++) diff |= derived[i]! ^ credential.hash[i]!;
  return diff === 0;
}
