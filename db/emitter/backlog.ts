/**
 * The outbox at a glance, read once for everything that shows it (/healthz, /metrics, the
 * console): messages by status, how many are due, the oldest waiting one, and whether Ops is
 * believed reachable. Each is a query to run alone or in a caller's batch.
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../connection';
import { OPS_REACHABLE } from './state';
import { emitterState, outboxMessages as m } from './schema';

const messagesWhere = (condition: SQL) => sql<number>`(SELECT count(*) FROM ${m} WHERE ${condition})`;

/**
 * The backlog's query at `now`; read its rows with {@link backlogOf}. Each figure is its own
 * subquery so that the (status, next_attempt_at) index answers it without reading the table:
 * the sweep asks every second.
 */
export function backlogQuery(db: Db, now: number) {
  return db
    .select({
      pending: messagesWhere(sql`${m.status} = 'pending'`),
      due: messagesWhere(sql`${m.status} = 'pending' AND ${m.nextAttemptAt} <= ${now}`),
      delivered: messagesWhere(sql`${m.status} = 'delivered'`),
      dead: messagesWhere(sql`${m.status} = 'dead'`),
      skipped: messagesWhere(sql`${m.status} = 'skipped'`),
      oldestPendingAt: sql<number | null>`(SELECT min(${m.createdAt}) FROM ${m} WHERE ${m.status} = 'pending')`,
    })
    .from(sql`(SELECT 1)`);
}

export type Backlog = ReturnType<typeof backlogOf>;

/** The backlog from its query's one row. */
export function backlogOf(rows: Awaited<ReturnType<typeof backlogQuery>>) {
  const row = rows[0];
  const n = (value: number | null | undefined) => Number(value ?? 0);
  return {
    pending: n(row?.pending),
    due: n(row?.due),
    delivered: n(row?.delivered),
    dead: n(row?.dead),
    skipped: n(row?.skipped),
    oldestPendingAt: row?.oldestPendingAt == null ? null : Number(row.oldestPendingAt),
  };
}

/** The backlog now, alone. */
export async function readBacklog(db: Db, now: number): Promise<Backlog> {
  return backlogOf(await backlogQuery(db, now));
}

/** Whether the last attempt reached Ops; read its rows with {@link opsReachableOf}. */
export function opsReachableQuery(db: Db) {
  return db.select({ value: emitterState.value }).from(emitterState).where(eq(emitterState.key, OPS_REACHABLE));
}

/** Unknown until the first attempt: believed reachable. */
export function opsReachableOf(rows: { value: string }[]): boolean {
  return rows[0]?.value !== '0';
}
