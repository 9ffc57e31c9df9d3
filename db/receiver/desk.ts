/** What only the desk reads and writes: its list page (the ticket page with counts and a chart) and operators' actions. */
import { count, eq, gte, sql } from 'drizzle-orm';
import type { Db } from '../connection';
import { pageOf } from '../newest-first-page';
import { DROP_PENDING_ESCALATIONS, ticketNotificationQueries, withAttempts } from './notifications';
import { ticketPageQuery, ticketTimelineQueries, timelineOf, type TicketFilter } from './tickets';
import { tickets, type TicketAction } from './schema';

/** Inlined into the SQL text, not bound: a bound number may arrive as a float, and the division must stay integral. */
const DAY_MS = 86_400_000;

/**
 * The desk's list page in one round trip: a page of tickets, the open and open-high counts,
 * tickets opened per day over `days` days, and the desk's version they were read at.
 */
export async function deskPage(db: Db, filter: TicketFilter, now: number, days = 14) {
  const since = Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
  const day = sql<number>`${tickets.createdAt} / ${sql.raw(String(DAY_MS))}`;
  const [rows, counts, perDay, version] = await db.batch([
    ticketPageQuery(db, filter),
    db
      .select({ open: count(), openHigh: sql<number>`coalesce(sum(${tickets.priority} = 'high'), 0)` })
      .from(tickets)
      .where(eq(tickets.status, 'open')),
    db.select({ day, n: count() }).from(tickets).where(gte(tickets.createdAt, since)).groupBy(day),
    versionQuery(db),
  ]);
  const byDay = new Map(perDay.map((r) => [Number(r.day), Number(r.n)]));
  return {
    ...pageOf(rows, filter),
    version: versionOf(version),
    open: Number(counts[0]?.open ?? 0),
    openHigh: Number(counts[0]?.openHigh ?? 0),
    perDay: Array.from({ length: days }, (_, i) => {
      const d = since / DAY_MS + i;
      return { day: new Date(d * DAY_MS).toISOString().slice(0, 10), n: byDay.get(d) ?? 0 };
    }),
  };
}

export type TicketActionName = TicketAction['action'];

/** The action's record, written only if the ticket exists (one batch with {@link APPLY_ACTION}). */
const RECORD_ACTION = `INSERT INTO ticket_actions (ticket_id, action, operator, note, at)
  SELECT :ticket, :action, :operator, :note, :now WHERE EXISTS (SELECT 1 FROM tickets WHERE id = :ticket)`;

const APPLY_ACTION = `UPDATE tickets SET
    status = CASE :action WHEN 'close' THEN 'closed' WHEN 'reopen' THEN 'open' ELSE status END,
    assigned_to = CASE :action WHEN 'acknowledge' THEN :operator ELSE assigned_to END,
    updated_at = :now
  WHERE id = :ticket`;

/**
 * Records an operator's action on ticket `id` and applies it (acknowledge: the ticket is theirs;
 * close; reopen; note: the text only), atomically. Acknowledging or closing also drops the
 * reminders not yet sent (escalation stops). False when there is no such ticket.
 */
export async function applyTicketAction(db: Db, id: number, action: TicketActionName, operator: string, note: string | null, now: number): Promise<boolean> {
  const [, updated] = await db.$client.batch(
    [
      { sql: RECORD_ACTION, args: { ticket: id, action, operator, note, now } },
      { sql: APPLY_ACTION, args: { ticket: id, action, operator, now } },
      ...(action === 'acknowledge' || action === 'close' ? [{ sql: DROP_PENDING_ESCALATIONS, args: { ticket: id, now } }] : []),
    ],
    'write',
  );
  return updated!.rowsAffected === 1;
}

/**
 * A ticket's page in one round trip: its timeline (db/receiver/tickets.ts), its notifications with
 * their attempts, and the desk's version they were read at (null when there is no such ticket).
 */
export async function deskTicketPage(db: Db, id: number) {
  const [ticket, events, actions, sessionTickets, notices, attempts, version] = await db.batch([
    ...ticketTimelineQueries(db, id),
    ...ticketNotificationQueries(db, id),
    versionQuery(db),
  ]);
  const timeline = timelineOf([ticket, events, actions, sessionTickets]);
  return timeline ? { ...timeline, notices: withAttempts(notices, attempts), version: versionOf(version) } : null;
}

/**
 * A value that changes whenever anything the desk shows changes: a new event (and so a new or
 * touched ticket), an operator's action, a notification's attempt or outcome. Each part is read
 * from a primary key or an index, so the live stream can ask it several times a second; a page
 * reads it in its own batch, so the page and the version it names are one snapshot.
 */
export async function deskVersion(db: Db): Promise<string> {
  return versionOf(await versionQuery(db));
}

type VersionRow = { events: number; actions: number; attempts: number; notifications: number; finished: number };

function versionQuery(db: Db) {
  return db.all<VersionRow>(sql.raw(DESK_VERSION));
}

function versionOf(rows: VersionRow[]): string {
  const row = rows[0]!;
  return [row.events, row.actions, row.attempts, row.notifications, row.finished].join('.');
}

const DESK_VERSION = `SELECT
  (SELECT coalesce(max(id), 0) FROM webhook_events) AS events,
  (SELECT coalesce(max(id), 0) FROM ticket_actions) AS actions,
  (SELECT coalesce(max(id), 0) FROM notification_attempts) AS attempts,
  (SELECT coalesce(max(seq), 0) FROM notifications) AS notifications,
  (SELECT count(*) FROM notifications WHERE status != 'pending') AS finished`;
