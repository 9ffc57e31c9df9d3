/** Emitter retention: old finished messages go by themselves; dead ones only when an operator purges them. */
import type { Db } from '../connection';
import type { DeliveryStatus } from './schema';

/**
 * Retention: deletes up to `limit` delivered or skipped messages last changed before `before`,
 * with their attempts, in one atomic batch; returns how many. Dead and pending messages are kept.
 */
export async function removeFinishedMessages(db: Db, before: number, limit: number): Promise<number> {
  const [, removed] = await db.$client.batch(
    [
      { sql: `DELETE FROM delivery_attempts WHERE message_id IN (${FINISHED_BEFORE('id')})`, args: { before, limit } },
      { sql: `DELETE FROM outbox_messages WHERE seq IN (${FINISHED_BEFORE('seq')})`, args: { before, limit } },
    ],
    'write',
  );
  return removed!.rowsAffected;
}

const FINISHED_BEFORE = (column: string) =>
  `SELECT ${column} FROM outbox_messages WHERE status IN ('delivered', 'skipped') AND updated_at < :before ORDER BY seq LIMIT :limit`;

/** Deletes every message of `status` accepted before `before`, with its attempts (an operator's purge); returns how many. */
export async function purgeMessages(db: Db, status: Exclude<DeliveryStatus, 'pending'>, before: number): Promise<number> {
  const [, removed] = await db.$client.batch(
    [
      { sql: `DELETE FROM delivery_attempts WHERE message_id IN (${STATUS_BEFORE('id')})`, args: { status, before } },
      { sql: `DELETE FROM outbox_messages WHERE seq IN (${STATUS_BEFORE('seq')})`, args: { status, before } },
    ],
    'write',
  );
  return removed!.rowsAffected;
}

const STATUS_BEFORE = (column: string) => `SELECT ${column} FROM outbox_messages WHERE status = :status AND created_at < :before`;
