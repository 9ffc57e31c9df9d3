/** Keyset pagination shared by the list queries of both databases (newest first, by an integer key). */
import { and, type SQL } from 'drizzle-orm';

/** ANDs the conditions that are set; undefined when none is (no WHERE). */
export function allOf(conditions: (SQL | false | undefined | '' | 0)[]): SQL | undefined {
  const set = conditions.filter((c): c is SQL => Boolean(c));
  return set.length ? and(...set) : undefined;
}

/** Splits rows fetched with `limit + 1` into the page and whether another page follows. */
export function pageOf<T>(rows: T[], limit: number): { items: T[]; hasMore: boolean } {
  return { items: rows.slice(0, limit), hasMore: rows.length > limit };
}
