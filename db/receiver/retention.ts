/** Retention of the receiver's raw event data. */
import type { Db } from '../connection';

const PURGE_EVENT_DATA = `UPDATE webhook_events SET data = '{}', data_purged_at = :now WHERE id IN (
  SELECT e.id FROM webhook_events e JOIN tickets t ON t.id = e.ticket_id
  WHERE t.status = 'closed' AND e.received_at < :before AND e.data_purged_at IS NULL LIMIT :limit)`;

/**
 * Empties `data` of up to `limit` events received before `before` whose ticket is closed, and
 * marks them; their timeline entries keep type and times. Returns how many.
 */
export async function purgeEventData(db: Db, before: number, now: number, limit: number): Promise<number> {
  const result = await db.$client.execute({ sql: PURGE_EVENT_DATA, args: { before, now, limit } });
  return result.rowsAffected;
}
