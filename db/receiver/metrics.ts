/** What the receiver's /metrics reads, in one round trip: every stored counter, tickets by status and priority, notifications by status. */
import { count } from 'drizzle-orm';
import type { Db } from '../connection';
import { metricCounters } from '../metric-counters';
import { notifications, tickets } from './schema';

export async function metricsSnapshot(db: Db) {
  const [counters, ticketCounts, notificationCounts] = await db.batch([
    db.select().from(metricCounters),
    db.select({ status: tickets.status, priority: tickets.priority, n: count() }).from(tickets).groupBy(tickets.status, tickets.priority),
    db.select({ status: notifications.status, channel: notifications.channel, n: count() }).from(notifications).groupBy(notifications.status, notifications.channel),
  ]);
  return { counters, ticketCounts, notificationCounts };
}
