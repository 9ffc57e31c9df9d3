/** Reads an HTML form post (urlencoded) under a size limit: a sign-in page is open to anyone on the network. */
import { apiError } from './http-errors';
import { readBodyWithLimit } from './read-body';

/** Largest form accepted, in bytes (a note is at most 2,000 characters). */
const MAX_FORM_BYTES = 16 * 1024;

/** The form's fields (the last value of a repeated name wins); 413 past the limit, 415 for another type. */
export async function readForm(req: Request): Promise<Record<string, string>> {
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(req.headers.get('content-type') ?? '')) {
    throw apiError(415, 'unsupported_media_type', 'a form post (application/x-www-form-urlencoded) is expected');
  }
  const bytes = await readBodyWithLimit(req, MAX_FORM_BYTES);
  return Object.fromEntries(new URLSearchParams(new TextDecoder().decode(bytes)));
}
