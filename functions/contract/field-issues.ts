/** Field-level validation problems, as every 422 answer lists them in `details`. */
import type { z } from 'zod';

/** One field-level problem, with a dotted path such as `data.admin_email`. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** The issues of a zod error as field problems; `prefix` is prepended to each path (e.g. `data`). */
export function fieldIssues(error: z.ZodError, prefix: string[] = []): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path.map(String)].join('.') || '(body)',
    message: issue.message,
  }));
}
