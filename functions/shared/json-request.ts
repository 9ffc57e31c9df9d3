/** The checks every JSON endpoint makes, in the project's error shape: 415, 413, 400 and 422. */
import type { z } from 'zod';
import { fieldIssues, type FieldIssue } from './field-issues';
import { apiError } from './http-errors';
import { readBodyWithLimit } from './read-body';

/** Largest accepted body, in bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** Throws 415 unless the request says it carries JSON. */
export function assertJsonContentType(req: Request): void {
  if (!JSON_TYPE.test(req.headers.get('content-type') ?? '')) {
    throw apiError(415, 'unsupported_media_type', 'Content-Type must be application/json');
  }
}

/** The body as text, read under the size limit (413 past it). */
export async function readBodyText(req: Request, limit = MAX_BODY_BYTES): Promise<string> {
  return new TextDecoder().decode(await readBodyWithLimit(req, limit));
}

/** JSON.parse, with 400 `malformed_json` for bad input. */
export function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw apiError(400, 'malformed_json', 'the body is not valid JSON');
  }
}

/** 422 `validation_failed` listing every field path (from field issues or a zod error). */
export function validationFailed(problems: FieldIssue[] | z.ZodError) {
  const issues = Array.isArray(problems) ? problems : fieldIssues(problems);
  return apiError(422, 'validation_failed', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { details: issues });
}
