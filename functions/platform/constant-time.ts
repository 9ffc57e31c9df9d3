/** Constant-time secret comparison, independent of where the first differing byte is. */

const encoder = new TextEncoder();

/**
 * The bytes of the configured secrets, encoded once per isolate rather than on every request (they
 * are the same few values for the process's whole life). Bounded, so a caller passing ever-new
 * values could not grow it; past the bound a secret is simply encoded each time.
 */
const EXPECTED_BYTES = new Map<string, Uint8Array>();
const MAX_CACHED_SECRETS = 16;

function expectedBytes(secret: string): Uint8Array {
  let bytes = EXPECTED_BYTES.get(secret);
  if (!bytes) {
    bytes = encoder.encode(secret);
    if (EXPECTED_BYTES.size < MAX_CACHED_SECRETS) EXPECTED_BYTES.set(secret, bytes);
  }
  return bytes;
}

/**
 * Whether `given` has exactly the bytes of `expected`. The loop always runs over the whole of
 * `expected` (a configured value, the same on every call) and never branches on the bytes, so its
 * time tells nothing of how much of `given` matched, nor of its length: a length difference is
 * folded into the result instead of returning early.
 */
function sameBytes(given: Uint8Array, expected: Uint8Array): boolean {
  let diff = given.length ^ expected.length;
  const n = given.length;
  for (let i = 0; i < expected.length; i++) diff |= expected[i]! ^ (n === 0 ? 0 : given[i % n]!);
  return diff === 0;
}

/**
 * True when `candidate` equals one of `secrets` (configured values, never caller input). Every
 * secret is compared, so timing does not tell which one matched. Synchronous and without a
 * digest: hashing both sides through WebCrypto costs more than the comparison it protects.
 */
export function matchesSecret(candidate: string, ...secrets: string[]): boolean {
  const given = encoder.encode(candidate);
  let matched = false;
  for (const secret of secrets) matched = sameBytes(given, expectedBytes(secret)) || matched;
  return matched;
}
