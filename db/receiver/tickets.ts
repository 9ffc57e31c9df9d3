/**
 * The receiver's ticket reads, each written once: a page of tickets (the read API's list and the
 * desk's), and one ticket with its timeline (the read API's and the desk's ticket page).
 */
import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../connection';
import { newestFirst, pageOf, type Page, type PageRequest } from '../newest-first-page';
import { anyContains } from '../search';
import { ticketActions, tickets, webhookEvents, type Ticket, type TicketAction, type TicketPriority, type TicketStatus, type WebhookEvent } from './schema';

export interface TicketFilter extends PageRequest {
  status?: TicketStatus;
  priority?: TicketPriority;
  domain?: string;
  sessionId?: string;
  /** Part of a domain, or a session id (what a person typed). */
  search?: string;
}

/** The query of one page of tickets, newest first; run it alone or in a batch, then `pageOf` its rows. */
export function ticketPageQuery(db: Db, filter: TicketFilter) {
  return newestFirst(
    db.select().from(tickets).$dynamic(),
    tickets.id,
    [
      filter.status ? eq(tickets.status, filter.status) : undefined,
      filter.priority ? eq(tickets.priority, filter.priority) : undefined,
      filter.domain ? eq(tickets.domain, filter.domain) : undefined,
      filter.sessionId ? eq(tickets.sessionId, filter.sessionId) : undefined,
      anyContains(filter.search, [tickets.domain, tickets.sessionId]),
    ],
    filter,
  );
}

/** One page of tickets, newest first. */
export async function listTickets(db: Db, filter: TicketFilter): Promise<Page<Ticket>> {
  return pageOf(await ticketPageQuery(db, filter), filter);
}

/** The queries of {@link ticketTimeline}, for a batch of their own or of a page's (desk.ts). */
export function ticketTimelineQueries(db: Db, id: number) {
  return [
    db.select().from(tickets).where(eq(tickets.id, id)),
    db.select().from(webhookEvents).where(eq(webhookEvents.ticketId, id)).orderBy(asc(webhookEvents.id)),
    db.select().from(ticketActions).where(eq(ticketActions.ticketId, id)).orderBy(asc(ticketActions.id)),
    db
      .select()
      .from(tickets)
      .where(sql`${tickets.sessionId} = (SELECT session_id FROM tickets WHERE id = ${id}) AND ${tickets.id} != ${id}`)
      .orderBy(asc(tickets.id)),
  ] as const;
}

type TimelineRows = readonly [Ticket[], WebhookEvent[], TicketAction[], Ticket[]];

/** The timeline from its queries' rows (null when there is no such ticket). */
export function timelineOf([ticket, events, actions, sessionTickets]: TimelineRows) {
  return ticket[0] ? { ticket: ticket[0], events, actions, sessionTickets } : null;
}

/**
 * One ticket with its events and its operators' actions, oldest first, and the other tickets of
 * its onboarding session, in one round trip (null when there is no such ticket).
 */
export async function ticketTimeline(db: Db, id: number) {
  return timelineOf(await db.batch(ticketTimelineQueries(db, id)));
}

/**
 * An onboarding's whole story: every event of session `sessionId`, in the order they arrived, and
 * the tickets they belong to, in one round trip (both found through their session indexes).
 */
export async function sessionStory(db: Db, sessionId: string) {
  const [events, sessionTickets] = await db.batch([
    db.select().from(webhookEvents).where(eq(webhookEvents.sessionId, sessionId)).orderBy(asc(webhookEvents.receivedAt), asc(webhookEvents.id)),
    db.select().from(tickets).where(eq(tickets.sessionId, sessionId)).orderBy(asc(tickets.id)),
  ]);
  return { events, tickets: sessionTickets };
}
