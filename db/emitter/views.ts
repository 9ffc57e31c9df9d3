/** What operators and monitoring read of the emitter: the metrics snapshot and the console's pages. */
import { count, eq, min } from 'drizzle-orm';
import type { Db } from '../connection';
import { likeContaining } from '../search';
import { metricCounters } from '../metric-counters';
import { OPS_REACHABLE } from './queries';
import { DELIVERY_STATUSES, emitterState, outboxMessages } from './schema';

/** What /metrics reads, in one round trip: stored counters, messages by status, the oldest pending one, and whether Ops answers. */
export async function metricsSnapshot(db: Db) {
  const [counters, byStatus, oldest, state] = await db.batch([
    db.select().from(metricCounters),
    db.select({ status: outboxMessages.status, n: count() }).from(outboxMessages).groupBy(outboxMessages.status),
    db.select({ createdAt: min(outboxMessages.createdAt) }).from(outboxMessages).where(eq(outboxMessages.status, 'pending')),
    db.select().from(emitterState).where(eq(emitterState.key, OPS_REACHABLE)),
  ]);
  return {
    counters,
    byStatus,
    oldestPendingAt: oldest[0]?.createdAt ?? null,
    /** Unknown until the first attempt: believed reachable. */
    opsReachable: state[0]?.value !== '0',
  };
}

export interface ConsoleFilter {
  status?: (typeof DELIVERY_STATUSES)[number];
  /** Part of a domain, or a session id. */
  search?: string;
  /** Messages with a seq below this (newest first). */
  before?: number;
  limit: number;
}

const HOUR_MS = 3_600_000;

/**
 * The console's main page in one round trip: a page of messages, the backlog at a glance, whether
 * Ops is believed reachable, and deliveries and average attempt latency per hour over 24 hours.
 */
export async function consolePage(db: Db, filter: ConsoleFilter, now: number) {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (filter.status) (where.push('status = ?'), args.push(filter.status));
  if (filter.search) (where.push(`(domain LIKE ? ESCAPE '\\' OR session_id LIKE ? ESCAPE '\\')`), args.push(likeContaining(filter.search), likeContaining(filter.search)));
  if (filter.before !== undefined) (where.push('seq < ?'), args.push(filter.before));
  const since = Math.floor(now / HOUR_MS) * HOUR_MS - 23 * HOUR_MS;
  const [page, backlog, state, delivered, latency] = await db.$client.batch(
    [
      {
        sql: `SELECT seq, id, event_type, domain, session_id, status, attempts, last_status, created_at, delivered_at FROM outbox_messages
          ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`,
        args: [...args, filter.limit + 1],
      },
      {
        sql: `SELECT
            coalesce(sum(status = 'pending'), 0) AS pending,
            coalesce(sum(status = 'pending' AND next_attempt_at <= ?1), 0) AS due,
            coalesce(sum(status = 'dead'), 0) AS dead,
            coalesce(sum(status = 'skipped'), 0) AS skipped,
            min(CASE WHEN status = 'pending' THEN created_at END) AS oldest_pending,
            max(delivered_at) AS last_delivered
          FROM outbox_messages`,
        args: [now],
      },
      { sql: `SELECT value FROM emitter_state WHERE key = ?`, args: [OPS_REACHABLE] },
      { sql: `SELECT delivered_at / ${HOUR_MS} AS hour, count(*) AS n FROM outbox_messages WHERE delivered_at >= ? GROUP BY hour`, args: [since] },
      { sql: `SELECT started_at / ${HOUR_MS} AS hour, avg(duration_ms) AS ms FROM delivery_attempts WHERE started_at >= ? GROUP BY hour`, args: [since] },
    ],
    'read',
  );
  const rows = page!.rows as unknown as ConsoleMessageRow[];
  const b = backlog!.rows[0] as unknown as Record<string, number | null>;
  const perHour = (rowsOf: unknown[], key: 'n' | 'ms') => {
    const byHour = new Map((rowsOf as { hour: number; n?: number; ms?: number }[]).map((r) => [Number(r.hour), Number(r[key] ?? 0)]));
    return Array.from({ length: 24 }, (_, i) => {
      const hour = since / HOUR_MS + i;
      return { hour: new Date(hour * HOUR_MS).toISOString().slice(11, 13), value: Math.round(byHour.get(hour) ?? 0) };
    });
  };
  return {
    messages: rows.slice(0, filter.limit),
    hasMore: rows.length > filter.limit,
    backlog: {
      pending: Number(b.pending),
      due: Number(b.due),
      dead: Number(b.dead),
      skipped: Number(b.skipped),
      oldestPendingAt: b.oldest_pending === null ? null : Number(b.oldest_pending),
      lastDeliveredAt: b.last_delivered === null ? null : Number(b.last_delivered),
    },
    opsReachable: (state!.rows[0] as unknown as { value?: string } | undefined)?.value !== '0',
    deliveredPerHour: perHour(delivered!.rows, 'n'),
    latencyPerHour: perHour(latency!.rows, 'ms'),
  };
}

export interface ConsoleMessageRow {
  seq: number;
  id: string;
  event_type: string;
  domain: string;
  session_id: string;
  status: (typeof DELIVERY_STATUSES)[number];
  attempts: number;
  last_status: number | null;
  created_at: number;
  delivered_at: number | null;
}
