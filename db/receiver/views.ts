/** What operators and monitoring read of the receiver: the metrics snapshot and the desk's pages. */
import { asc, count, eq } from 'drizzle-orm';
import type { Db } from '../connection';
import { likeContaining } from '../search';
import { metricCounters } from '../metric-counters';
import { ticketActions, tickets, webhookEvents, type TicketAction } from './schema';

/** What /metrics reads, in one round trip: every stored counter, and tickets by status and priority. */
export async function metricsSnapshot(db: Db) {
  const [counters, ticketCounts] = await db.batch([
    db.select().from(metricCounters),
    db.select({ status: tickets.status, priority: tickets.priority, n: count() }).from(tickets).groupBy(tickets.status, tickets.priority),
  ]);
  return { counters, ticketCounts };
}

export interface DeskFilter {
  status?: 'open' | 'closed';
  priority?: 'normal' | 'high';
  /** Part of a domain, or a session id. */
  search?: string;
  /** Tickets with an id below this (newest first). */
  before?: number;
  limit: number;
}

const DAY_MS = 86_400_000;

/**
 * The desk's list page in one round trip: a page of tickets (one extra row says whether another
 * page follows), the open and open-high counts, and tickets opened per day over `days` days.
 */
export async function deskPage(db: Db, filter: DeskFilter, now: number, days = 14) {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (filter.status) (where.push(`status = ?`), args.push(filter.status));
  if (filter.priority) (where.push(`priority = ?`), args.push(filter.priority));
  if (filter.search) (where.push(`(domain LIKE ? ESCAPE '\\' OR session_id LIKE ? ESCAPE '\\')`), args.push(likeContaining(filter.search), likeContaining(filter.search)));
  if (filter.before !== undefined) (where.push(`id < ?`), args.push(filter.before));
  const since = Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
  const [page, counts, perDay] = await db.$client.batch(
    [
      {
        sql: `SELECT id, subject, priority, status, domain, session_id, assigned_to, created_at, updated_at FROM tickets
          ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
        args: [...args, filter.limit + 1],
      },
      { sql: `SELECT count(*) AS open, coalesce(sum(priority = 'high'), 0) AS open_high FROM tickets WHERE status = 'open'`, args: [] },
      { sql: `SELECT created_at / ${DAY_MS} AS day, count(*) AS n FROM tickets WHERE created_at >= ? GROUP BY day`, args: [since] },
    ],
    'read',
  );
  const rows = page!.rows as unknown as DeskTicketRow[];
  const count = counts!.rows[0] as unknown as { open: number; open_high: number };
  const byDay = new Map((perDay!.rows as unknown as { day: number; n: number }[]).map((r) => [Number(r.day), Number(r.n)]));
  return {
    tickets: rows.slice(0, filter.limit),
    hasMore: rows.length > filter.limit,
    open: Number(count.open),
    openHigh: Number(count.open_high),
    perDay: Array.from({ length: days }, (_, i) => {
      const day = since / DAY_MS + i;
      return { day: new Date(day * DAY_MS).toISOString().slice(0, 10), n: byDay.get(day) ?? 0 };
    }),
  };
}

export interface DeskTicketRow {
  id: number;
  subject: string;
  priority: 'normal' | 'high';
  status: 'open' | 'closed';
  domain: string;
  session_id: string;
  assigned_to: string | null;
  created_at: number;
  updated_at: number;
}

/** One ticket with its events and its operators' actions, in one round trip (null when there is no such ticket). */
export async function ticketTimeline(db: Db, id: number) {
  const [ticket, events, actions] = await db.batch([
    db.select().from(tickets).where(eq(tickets.id, id)),
    db.select().from(webhookEvents).where(eq(webhookEvents.ticketId, id)).orderBy(asc(webhookEvents.id)),
    db.select().from(ticketActions).where(eq(ticketActions.ticketId, id)).orderBy(asc(ticketActions.id)),
  ]);
  return ticket[0] ? { ticket: ticket[0], events, actions } : null;
}

export type TicketActionName = TicketAction['action'];

/**
 * Records an operator's action on ticket `id` and applies it (acknowledge: the ticket is theirs;
 * close; reopen; note: the text only), atomically. False when there is no such ticket.
 */
export async function applyTicketAction(db: Db, id: number, action: TicketActionName, operator: string, note: string | null, now: number): Promise<boolean> {
  const [, updated] = await db.$client.batch(
    [
      {
        sql: `INSERT INTO ticket_actions (ticket_id, action, operator, note, at) SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM tickets WHERE id = ?1)`,
        args: [id, action, operator, note, now],
      },
      {
        sql: `UPDATE tickets SET
            status = CASE ?2 WHEN 'close' THEN 'closed' WHEN 'reopen' THEN 'open' ELSE status END,
            assigned_to = CASE ?2 WHEN 'acknowledge' THEN ?3 ELSE assigned_to END,
            updated_at = ?4
          WHERE id = ?1`,
        args: [id, action, operator, now],
      },
    ],
    'write',
  );
  return updated!.rowsAffected === 1;
}
