/** Reads a request body into memory with a hard size limit enforced while streaming. */
import { apiError } from './http-errors';

/**
 * Returns the body's bytes, or throws 413 as soon as more than `limit` bytes have arrived (or
 * when `Content-Length` already announces more), so an oversized body is never held whole. A body
 * that breaks off (the client vanished before sending what its Content-Length announced) is the
 * client's failure: 400 `incomplete_body`, not a 500.
 */
export async function readBodyWithLimit(req: Request, limit: number): Promise<Uint8Array> {
  const tooLarge = () => apiError(413, 'payload_too_large', `request body exceeds ${limit} bytes`);
  const incomplete = () => apiError(400, 'incomplete_body', 'the request body ended before the length it announced');
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  if (req.body === null) return new Uint8Array(0);
  // A declared length within the limit is what workerd delivers at most, so the body can be taken
  // whole: one native read instead of a JavaScript loop over chunks (the common case, a webhook).
  if (Number.isInteger(declared) && declared >= 0) {
    let whole: ArrayBuffer;
    try {
      whole = await req.arrayBuffer();
    } catch {
      throw incomplete();
    }
    // Only a Request built in-process could carry more than it declares; it still gets no further.
    if (whole.byteLength > limit) throw tooLarge();
    return new Uint8Array(whole);
  }
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      throw incomplete();
    }
    if (chunk.done) break;
    size += chunk.value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(chunk.value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
