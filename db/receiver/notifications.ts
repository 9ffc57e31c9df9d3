/**
 * The receiver's notification outbox: its tables as the outbox engine sees them, putting
 * notifications in line (a ticket's opening is in the intake's own batch, db/receiver/intake.ts;
 * escalations and the digest here), what a notification is about, and what the desk shows of them.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db, Statement } from '../connection';
import type { OutboxTables } from '../outbox/outbox-tables';
import { rowReader } from '../outbox/row-reader';
import { notificationAttempts, notifications, tickets, type Notification, type NotificationAttempt, type NotifyChannel, type Ticket } from './schema';

/** '1' while the host's relay (and the mail server or chat webhook behind it) answers, '0' after it did not. */
export const NOTIFY_REACHABLE = 'notify_reachable';
/** When the notification outbox last probed its peer (ms). */
export const NOTIFY_LAST_PROBE_AT = 'notify_last_probe_at';

export const NOTIFY_OUTBOX: OutboxTables = {
  messages: 'notifications',
  attempts: 'notification_attempts',
  state: 'receiver_state',
  // Each notification goes on its own: one that fails holds up no other.
  inOrderOf: [],
  keys: { reachable: NOTIFY_REACHABLE, lastProbeAt: NOTIFY_LAST_PROBE_AT },
};

export const notificationFromRow: (row: Record<string, unknown>) => Notification = rowReader(notifications);

/** The id of a notification: its Message-ID's local part and its channel. */
export function notificationId(subject: string, reason: string, channel: NotifyChannel): string {
  return `${subject}.${reason}.${channel}`;
}

/** Puts one notification in line, due now, unless it already is (its id is its key). */
const ENQUEUE = `INSERT INTO notifications (id, ticket_id, channel, reason, status, attempts, schedule_index, next_attempt_at, created_at, updated_at)
  VALUES (:id, :ticket, :channel, :reason, 'pending', 0, 0, :now, :now, :now)
  ON CONFLICT (id) DO NOTHING`;

/** The statements that put `reason`'s notification of ticket `ticketId` (or of none: a digest) in line on each channel. */
export function enqueueStatements(subject: string, ticketId: number | null, reason: string, channels: readonly NotifyChannel[], now: number): Statement[] {
  return channels.map((channel) => ({ sql: ENQUEUE, args: { id: notificationId(subject, reason, channel), ticket: ticketId, channel, reason, now } }));
}

export async function enqueue(db: Db, statements: Statement[]): Promise<number> {
  if (statements.length === 0) return 0;
  const results = await db.$client.batch(statements, 'write');
  return results.reduce((n, r) => n + r.rowsAffected, 0);
}

/**
 * Open high-priority tickets that nobody acknowledged, opened at least `afterMs` ago, with how
 * many escalations each has had (found through the (status, id) index).
 */
export async function unacknowledgedHighTickets(db: Db, openedBefore: number): Promise<{ id: number; createdAt: number; escalations: number }[]> {
  const rows = await db
    .select({
      id: tickets.id,
      createdAt: tickets.createdAt,
      // Qualified by hand: drizzle writes a lone table's columns unqualified, and a bare "id" here would be the notification's.
      escalations: sql<number>`(SELECT count(DISTINCT n.reason) FROM notifications n WHERE n.ticket_id = "tickets"."id" AND n.reason LIKE 'escalation-%')`,
    })
    .from(tickets)
    .where(and(eq(tickets.status, 'open'), eq(tickets.priority, 'high'), sql`${tickets.assignedTo} IS NULL`, sql`${tickets.createdAt} <= ${openedBefore}`));
  return rows.map((r) => ({ id: r.id, createdAt: r.createdAt, escalations: Number(r.escalations) }));
}

/**
 * Escalations not yet sent that an operator's acknowledgement or closing makes moot: deleted in
 * the action's own batch (one being sent right now finishes; its record then changes nothing).
 */
export const DROP_PENDING_ESCALATIONS = `DELETE FROM notifications
  WHERE ticket_id = :ticket AND status = 'pending' AND reason LIKE 'escalation-%' AND (lease_until IS NULL OR lease_until < :now)`;

/** The ticket a notification is about. */
export async function notifiedTicket(db: Db, ticketId: number): Promise<Ticket | undefined> {
  const [ticket] = await db.select().from(tickets).where(eq(tickets.id, ticketId));
  return ticket;
}

/** The open tickets for a digest, oldest first (the ones waiting longest lead). */
export async function openTicketsByAge(db: Db, limit: number): Promise<{ tickets: Ticket[]; total: number }> {
  const [rows, counted] = await db.batch([
    db.select().from(tickets).where(eq(tickets.status, 'open')).orderBy(asc(tickets.createdAt), asc(tickets.id)).limit(limit),
    db.select({ n: sql<number>`count(*)` }).from(tickets).where(eq(tickets.status, 'open')),
  ]);
  return { tickets: rows, total: Number(counted[0]?.n ?? 0) };
}

/** The queries of a ticket's notifications and their attempts, oldest first, for a page's batch (desk.ts). */
export function ticketNotificationQueries(db: Db, ticketId: number) {
  return [
    db.select().from(notifications).where(eq(notifications.ticketId, ticketId)).orderBy(asc(notifications.seq)),
    db
      .select()
      .from(notificationAttempts)
      .where(sql`${notificationAttempts.messageId} IN (SELECT id FROM notifications WHERE ticket_id = ${ticketId})`)
      .orderBy(asc(notificationAttempts.id)),
  ] as const;
}

/** Each notification with its attempts, from those queries' rows. */
export function withAttempts(rows: Notification[], attempts: NotificationAttempt[]): { notification: Notification; attempts: NotificationAttempt[] }[] {
  return rows.map((notification) => ({ notification, attempts: attempts.filter((a) => a.messageId === notification.id) }));
}
