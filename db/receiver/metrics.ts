/** What the receiver's /metrics reads, in one round trip: every stored counter, and tickets by status and priority. */
import { count } from 'drizzle-orm';
import type { Db } from '../connection';
import { metricCounters } from '../metric-counters';
import { tickets } from './schema';

export async function metricsSnapshot(db: Db) {
  const [counters, ticketCounts] = await db.batch([
    db.select().from(metricCounters),
    db.select({ status: tickets.status, priority: tickets.priority, n: count() }).from(tickets).groupBy(tickets.status, tickets.priority),
  ]);
  return { counters, ticketCounts };
}
