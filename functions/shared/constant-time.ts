/** Constant-time secret comparison, independent of where the first differing byte is. */

const encoder = new TextEncoder();

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/**
 * Digests of the configured secrets, computed once per isolate rather than on every request
 * (they are the same few values for the process's whole life). Bounded, so a caller passing
 * ever-new "secrets" could not grow it; past the bound a digest is simply computed each time.
 */
const EXPECTED_DIGESTS = new Map<string, Promise<Uint8Array>>();
const MAX_CACHED_SECRETS = 16;

function expectedDigest(secret: string): Promise<Uint8Array> {
  const cached = EXPECTED_DIGESTS.get(secret);
  if (cached) return cached;
  const digest = sha256(secret);
  if (EXPECTED_DIGESTS.size < MAX_CACHED_SECRETS) EXPECTED_DIGESTS.set(secret, digest);
  return digest;
}

/**
 * True when `candidate` equals one of `secrets` (configured values, never caller input).
 * Everything is hashed first so each comparison runs over 32 bytes whatever the lengths, and
 * every secret is compared, so timing tells neither how much matched nor which secret did.
 */
export async function matchesSecret(candidate: string, ...secrets: string[]): Promise<boolean> {
  const [given, ...expected] = await Promise.all([sha256(candidate), ...secrets.map(expectedDigest)]);
  let matched = false;
  for (const e of expected) {
    let diff = 0;
    for (let i = 0; i < e.length; i++) diff |= e[i]! ^ given![i]!;
    matched = diff === 0 || matched;
  }
  return matched;
}
