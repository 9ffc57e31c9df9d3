/** Constant-time equality for secrets, independent of where the first differing byte is. */

const encoder = new TextEncoder();

/**
 * Compares two strings without leaking, through timing, how much of them matches. Both are
 * hashed first so the comparison always runs over 32 bytes, whatever their lengths.
 */
export async function secretsEqual(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([
    crypto.subtle.digest('SHA-256', encoder.encode(a)),
    crypto.subtle.digest('SHA-256', encoder.encode(b)),
  ]);
  const x = new Uint8Array(da);
  const y = new Uint8Array(db);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}
