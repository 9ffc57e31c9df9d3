/** What only the desk reads and writes: its list page (the ticket page with counts and a chart) and operators' actions. */
import { count, eq, gte, sql } from 'drizzle-orm';
import type { Db } from '../connection';
import { pageOf } from '../newest-first-page';
import { DROP_PENDING_ESCALATIONS } from './notifications';
import { ticketPageQuery, type TicketFilter } from './tickets';
import { tickets, type TicketAction } from './schema';

/** Inlined into the SQL text, not bound: a bound number may arrive as a float, and the division must stay integral. */
const DAY_MS = 86_400_000;

/**
 * The desk's list page in one round trip: a page of tickets, the open and open-high counts, and
 * tickets opened per day over `days` days.
 */
export async function deskPage(db: Db, filter: TicketFilter, now: number, days = 14) {
  const since = Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
  const day = sql<number>`${tickets.createdAt} / ${sql.raw(String(DAY_MS))}`;
  const [rows, counts, perDay] = await db.batch([
    ticketPageQuery(db, filter),
    db
      .select({ open: count(), openHigh: sql<number>`coalesce(sum(${tickets.priority} = 'high'), 0)` })
      .from(tickets)
      .where(eq(tickets.status, 'open')),
    db.select({ day, n: count() }).from(tickets).where(gte(tickets.createdAt, since)).groupBy(day),
  ]);
  const byDay = new Map(perDay.map((r) => [Number(r.day), Number(r.n)]));
  return {
    ...pageOf(rows, filter),
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
 * A value that changes whenever anything the desk shows changes: a new event (and so a new or
 * touched ticket), an operator's action, a notification's attempt or outcome. Each part is read
 * from a primary key or an index, so the live stream can ask it several times a second.
 */
export async function deskVersion(db: Db): Promise<string> {
  const result = await db.$client.execute(DESK_VERSION);
  const row = result.rows[0] as unknown as Record<string, number>;
  return [row.events, row.actions, row.attempts, row.notifications, row.finished].join('.');
}

const DESK_VERSION = `SELECT
  (SELECT coalesce(max(id), 0) FROM webhook_events) AS events,
  (SELECT coalesce(max(id), 0) FROM ticket_actions) AS actions,
  (SELECT coalesce(max(id), 0) FROM notification_attempts) AS attempts,
  (SELECT coalesce(max(seq), 0) FROM notifications) AS notifications,
  (SELECT count(*) FROM notifications WHERE status != 'pending') AS finished`;
