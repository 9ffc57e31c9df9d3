/**
 * The outbox's housekeeping and its people's requests: what is pending and due, retention of
 * finished messages, an operator's purge, and putting messages back in line (redelivery).
 */
import type { Db } from '../connection';
import type { OutboxTables } from './outbox-tables';

/** Pending and due-now counts, each answered from the (status, next_attempt_at) index. */
export async function pendingAndDue(db: Db, tables: OutboxTables, now: number): Promise<{ pending: number; due: number }> {
  const result = await db.$client.execute({
    sql: `SELECT (SELECT count(*) FROM ${tables.messages} WHERE status = 'pending') AS pending,
      (SELECT count(*) FROM ${tables.messages} WHERE status = 'pending' AND next_attempt_at <= :now) AS due`,
    args: { now },
  });
  const row = result.rows[0] as unknown as { pending: number; due: number } | undefined;
  return { pending: Number(row?.pending ?? 0), due: Number(row?.due ?? 0) };
}

/**
 * Retention: deletes up to `limit` messages of `statuses` last changed before `before`, with
 * their attempts, in one atomic batch; answers how many. Dead and pending messages are kept.
 */
export async function removeFinished(db: Db, tables: OutboxTables, statuses: readonly string[], before: number, limit: number): Promise<number> {
  const finished = (column: string) =>
    `SELECT ${column} FROM ${tables.messages} WHERE status IN (${statuses.map((s) => `'${s}'`).join(', ')}) AND updated_at < :before ORDER BY seq LIMIT :limit`;
  const [, removed] = await db.$client.batch(
    [
      { sql: `DELETE FROM ${tables.attempts} WHERE message_id IN (${finished('id')})`, args: { before, limit } },
      { sql: `DELETE FROM ${tables.messages} WHERE seq IN (${finished('seq')})`, args: { before, limit } },
    ],
    'write',
  );
  return removed!.rowsAffected;
}

/** Deletes every message of `status` created before `before`, with its attempts (an operator's purge); answers how many. */
export async function purgeStatus(db: Db, tables: OutboxTables, status: string, before: number): Promise<number> {
  const matching = (column: string) => `SELECT ${column} FROM ${tables.messages} WHERE status = :status AND created_at < :before`;
  const [, removed] = await db.$client.batch(
    [
      { sql: `DELETE FROM ${tables.attempts} WHERE message_id IN (${matching('id')})`, args: { status, before } },
      { sql: `DELETE FROM ${tables.messages} WHERE seq IN (${matching('seq')})`, args: { status, before } },
    ],
    'write',
  );
  return removed!.rowsAffected;
}

/**
 * Puts messages back in line, due now with a fresh schedule: one by id, or every one of some
 * statuses created since a time. The lease is left alone: a delivery in flight finishes and
 * records its own outcome. Answers how many.
 */
export async function requeue(db: Db, tables: OutboxTables, where: { id: string } | { statuses: readonly string[]; since?: number }, now: number): Promise<number> {
  const args: Record<string, string | number> = { now };
  let condition: string;
  if ('id' in where) {
    condition = 'id = :id';
    args.id = where.id;
  } else {
    where.statuses.forEach((status, i) => (args[`s${i}`] = status));
    condition = `status IN (${where.statuses.map((_, i) => `:s${i}`).join(', ')})`;
    if (where.since !== undefined) {
      condition += ' AND created_at >= :since';
      args.since = where.since;
    }
  }
  const result = await db.$client.execute({
    sql: `UPDATE ${tables.messages} SET status = 'pending', schedule_index = 0, next_attempt_at = :now, not_before = NULL, updated_at = :now WHERE ${condition}`,
    args,
  });
  return result.rowsAffected;
}

/** A value of a key-value state table (an outbox's, or any the function keeps beside it). */
export async function readState(db: Db, table: string, key: string): Promise<string | undefined> {
  const result = await db.$client.execute({ sql: `SELECT value FROM ${table} WHERE key = :key`, args: { key } });
  return (result.rows[0] as unknown as { value: string } | undefined)?.value;
}

/** Writes a value of a key-value state table. */
export async function writeState(db: Db, table: string, key: string, value: string): Promise<void> {
  await db.$client.execute({ sql: `INSERT INTO ${table} (key, value) VALUES (:key, :value) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, args: { key, value } });
}
