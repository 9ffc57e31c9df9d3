/** Query parameters and cursors of the list endpoints (`?limit=&cursor=`, newest first). */
import { z } from 'zod';

/** `limit` (1-200, default 50) and `cursor` (the key of the last item of the previous page). */
export const PAGE_QUERY = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.coerce.number().int().positive().optional(),
};

/** The cursor for the next page, or null on the last one. */
export function nextCursor<T>(page: { items: T[]; hasMore: boolean }, key: (item: T) => number): number | null {
  const last = page.items[page.items.length - 1];
  return page.hasMore && last !== undefined ? key(last) : null;
}

