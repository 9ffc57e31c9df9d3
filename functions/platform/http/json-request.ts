/** The checks every JSON endpoint makes, in the project's error shape: 415, 413, 400 and 422. */
import type { z } from 'zod';
import { fieldIssues, type FieldIssue } from '../../contract/field-issues';
import { apiError } from './http-errors';
import { readBodyWithLimit } from './read-body';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;

/**
 * Throws 415 unless the request says it carries JSON, in UTF-8: JSON text exchanged between
 * systems must be UTF-8 (RFC 8259 §8.1), so any other declared charset is refused rather than
 * decoded as if it were UTF-8.
 */
export function assertJsonContentType(req: Request): void {
  const type = req.headers.get('content-type') ?? '';
  if (!JSON_TYPE.test(type)) throw apiError(415, 'unsupported_media_type', 'Content-Type must be application/json');
  const charset = CHARSET.exec(type)?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    throw apiError(415, 'unsupported_media_type', 'the only charset accepted is utf-8');
  }
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The body as text, read under the size limit (413 past it). Invalid UTF-8 is refused (400
 * `invalid_utf8`) instead of being replaced with U+FFFD. A leading BOM is kept here, so a
 * signature is verified over exactly the bytes received; {@link parseJson} skips it.
 */
export async function readBodyText(req: Request, limit: number): Promise<string> {
  const bytes = await readBodyWithLimit(req, limit);
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    throw apiError(400, 'invalid_utf8', 'the body is not valid UTF-8');
  }
}

/** JSON.parse (after one leading BOM, if any), with 400 `malformed_json` for bad input. */
export function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw);
  } catch {
    throw apiError(400, 'malformed_json', 'the body is not valid JSON');
  }
}

/** 422 `validation_failed` listing every field path (from field issues or a zod error). */
export function validationFailed(problems: FieldIssue[] | z.ZodError) {
  const issues = Array.isArray(problems) ? problems : fieldIssues(problems);
  return apiError(422, 'validation_failed', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { details: issues });
}
