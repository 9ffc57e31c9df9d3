/**
 * Which of the events an emitter delivered this receiver has no record of, by business key
 * (event, session_id, domain): the question its reconciliation asks after a restore or any loss
 * on this side. One statement per page; each asked key is looked up through the unique key index.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../connection';
import { webhookEvents } from './schema';

export interface BusinessKey {
  event: string;
  sessionId: string;
  domain: string;
}

/** The statement: each asked key (with its position) that no event row has, looked up by the key index. */
export function unrecordedKeysQuery(keys: BusinessKey[]): SQL {
  const asked = sql.join(
    keys.map((k, i) => sql`(${i}, ${k.sessionId}, ${k.domain}, ${k.event})`),
    sql`, `,
  );
  return sql`
    WITH asked (i, session_id, domain, event_type) AS (VALUES ${asked})
    SELECT asked.i AS i FROM asked
    WHERE NOT EXISTS (
      SELECT 1 FROM ${webhookEvents} AS w
      WHERE w.session_id = asked.session_id AND w.domain = asked.domain AND w.event_type = asked.event_type
    )`;
}

/** The positions (in `keys`) of the keys with no recorded event. */
export async function unrecordedKeys(db: Db, keys: BusinessKey[]): Promise<number[]> {
  if (keys.length === 0) return [];
  const rows = await db.all<{ i: number }>(unrecordedKeysQuery(keys));
  return rows.map((r) => Number(r.i));
}
