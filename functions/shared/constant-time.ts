/** Constant-time secret comparison, independent of where the first differing byte is. */

const encoder = new TextEncoder();

function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', encoder.encode(text));
}

/**
 * True when `candidate` equals one of `secrets`. Everything is hashed first so each comparison
 * runs over 32 bytes whatever the lengths, and every secret is compared, so timing tells neither
 * how much matched nor which secret did.
 */
export async function matchesSecret(candidate: string, ...secrets: string[]): Promise<boolean> {
  const [given, ...expected] = (await Promise.all([candidate, ...secrets].map(sha256))).map((d) => new Uint8Array(d));
  let matched = false;
  for (const e of expected) {
    let diff = 0;
    for (let i = 0; i < e.length; i++) diff |= e[i]! ^ given![i]!;
    matched = diff === 0 || matched;
  }
  return matched;
}
