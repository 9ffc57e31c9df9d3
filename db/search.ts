/** Searching text columns from what a person typed. */
import { or, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';

/** A LIKE pattern (used with `ESCAPE '\\'`) matching values that contain `text`, its wildcards taken literally. */
function likeContaining(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Rows where any of `columns` contains `text`; no condition when nothing was typed. */
export function anyContains(text: string | undefined, columns: SQLiteColumn[]): SQL | undefined {
  if (!text) return undefined;
  const pattern = likeContaining(text);
  return or(...columns.map((column) => sql`${column} LIKE ${pattern} ESCAPE '\\'`));
}
