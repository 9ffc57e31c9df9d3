/** What only the console reads: its main page, a page of messages with the backlog and two charts. */
import { avg, count, gte, max, sql } from 'drizzle-orm';
import type { Db } from '../connection';
import { backlogOf, backlogQuery, opsReachableOf, opsReachableQuery } from './backlog';
import { pageOf } from '../newest-first-page';
import { messagePageQuery, type MessageFilter } from './deliveries';
import { deliveryAttempts, outboxMessages } from './schema';

/** Inlined into the SQL text, not bound: a bound number may arrive as a float, and the division must stay integral. */
const HOUR_MS = 3_600_000;

/**
 * The console's main page in one round trip: a page of messages, the backlog at a glance, whether
 * Ops is believed reachable, the last delivery, and deliveries and average attempt latency per hour over 24 hours.
 */
export async function consolePage(db: Db, filter: MessageFilter, now: number) {
  const since = Math.floor(now / HOUR_MS) * HOUR_MS - 23 * HOUR_MS;
  const deliveredHour = sql<number>`${outboxMessages.deliveredAt} / ${sql.raw(String(HOUR_MS))}`;
  const attemptHour = sql<number>`${deliveryAttempts.startedAt} / ${sql.raw(String(HOUR_MS))}`;
  const [rows, backlog, reachable, last, delivered, latency] = await db.batch([
    messagePageQuery(db, filter),
    backlogQuery(db, now),
    opsReachableQuery(db),
    db.select({ at: max(outboxMessages.deliveredAt) }).from(outboxMessages),
    db.select({ hour: deliveredHour, value: count() }).from(outboxMessages).where(gte(outboxMessages.deliveredAt, since)).groupBy(deliveredHour),
    db.select({ hour: attemptHour, value: avg(deliveryAttempts.durationMs) }).from(deliveryAttempts).where(gte(deliveryAttempts.startedAt, since)).groupBy(attemptHour),
  ]);
  const perHour = (byHourRows: { hour: number; value: number | string | null }[]) => {
    const byHour = new Map(byHourRows.map((r) => [Number(r.hour), Number(r.value ?? 0)]));
    return Array.from({ length: 24 }, (_, i) => {
      const hour = since / HOUR_MS + i;
      return { hour: new Date(hour * HOUR_MS).toISOString().slice(11, 13), value: Math.round(byHour.get(hour) ?? 0) };
    });
  };
  return {
    ...pageOf(rows, filter),
    backlog: backlogOf(backlog),
    lastDeliveredAt: last[0]?.at == null ? null : Number(last[0].at),
    opsReachable: opsReachableOf(reachable),
    deliveredPerHour: perHour(delivered),
    latencyPerHour: perHour(latency),
  };
}
