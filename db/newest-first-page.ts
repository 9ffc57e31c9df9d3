/**
 * The one way both databases page a list: newest first by an integer key, the next page asked
 * for by the last key seen (a keyset cursor, so a page stays right while rows arrive), and one
 * row more than the page fetched to tell whether another follows.
 */
import { and, desc, lt, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteSelect } from 'drizzle-orm/sqlite-core';

export interface PageRequest {
  /** Rows with a key below this one (the cursor); none for the first page. */
  before?: number;
  limit: number;
}

export interface Page<T> {
  items: T[];
  hasMore: boolean;
}

/** `query` narrowed to the filters that are set, from the cursor on, newest first, one row past the page. */
export function newestFirst<Q extends SQLiteSelect>(query: Q, key: SQLiteColumn, filters: (SQL | undefined)[], page: PageRequest): Q {
  const conditions = [...filters, page.before === undefined ? undefined : lt(key, page.before)].filter((c): c is SQL => c !== undefined);
  return query
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(key))
    .limit(page.limit + 1);
}

/** The page of rows fetched by {@link newestFirst}, and whether another page follows. */
export function pageOf<T>(rows: T[], page: PageRequest): Page<T> {
  return { items: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
}
