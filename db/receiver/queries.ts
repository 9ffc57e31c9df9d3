/**
 * Receiver database queries. `recordEvent` is the hot path: one atomic batch (one round trip)
 * that inserts the event unless its key exists, opens or links a ticket, and reads back the row
 * that won, so concurrent identical deliveries all see the same event and ticket.
 */
import { and, asc, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import type { ReceiverDb } from './client';
import { tickets, webhookEvents, type Ticket, type WebhookEvent } from './schema';

export interface NewEvent {
  eventType: string;
  sessionId: string;
  domain: string;
  webhookId: string | null;
  occurredAt: number | null;
  data: string;
}

export type TicketAction =
  | { action: 'open'; priority: 'normal' | 'high'; subject: string }
  | { action: 'link' };

export interface RecordOutcome {
  eventId: number;
  ticketId: number | null;
  created: boolean;
}

/**
 * Records one event idempotently. The unique indexes on (event_type, session_id, domain) and on
 * webhook_id make the insert a no-op for a repeat; `intakeId` (random per call) tells this call
 * whether its own insert won, and the later statements act only if it did.
 */
export async function recordEvent(
  db: ReceiverDb,
  event: NewEvent,
  plan: TicketAction,
  intakeId: string,
  now: number,
): Promise<RecordOutcome> {
  const openTicketOfSession = sql`(SELECT ${tickets.id} FROM ${tickets}
    WHERE ${tickets.sessionId} = ${event.sessionId} AND ${tickets.domain} = ${event.domain} AND ${tickets.status} = 'open'
    ORDER BY ${tickets.id} DESC LIMIT 1)`;
  const insertEvent = db
    .insert(webhookEvents)
    .values({
      ...event,
      intakeId,
      receivedAt: now,
      ticketId: plan.action === 'link' ? openTicketOfSession : null,
    })
    .onConflictDoNothing();
  const mine = sql`(SELECT id FROM webhook_events WHERE intake_id = ${intakeId})`;
  const ticketSteps =
    plan.action === 'open'
      ? [
          db.run(sql`INSERT INTO tickets (subject, priority, status, domain, session_id, opened_by_event_id, created_at, updated_at)
            SELECT ${plan.subject}, ${plan.priority}, 'open', domain, session_id, id, ${now}, ${now}
            FROM webhook_events WHERE intake_id = ${intakeId}`),
          // The new ticket adopts its own event and any earlier events of the session that had no ticket yet.
          db.run(sql`UPDATE webhook_events
            SET ticket_id = (SELECT id FROM tickets WHERE opened_by_event_id = ${mine})
            WHERE session_id = ${event.sessionId} AND domain = ${event.domain} AND ticket_id IS NULL
              AND EXISTS ${mine}`),
        ]
      : [
          db.run(sql`UPDATE tickets SET updated_at = ${now}
            WHERE id = (SELECT ticket_id FROM webhook_events WHERE intake_id = ${intakeId})`),
        ];
  const readBack = db
    .select({ id: webhookEvents.id, ticketId: webhookEvents.ticketId, intakeId: webhookEvents.intakeId })
    .from(webhookEvents)
    .where(
      event.webhookId === null
        ? sameKey(event)
        : sql`${sameKey(event)} OR ${webhookEvents.webhookId} = ${event.webhookId}`,
    )
    // A business-key match wins over a webhook-id match when both exist.
    .orderBy(sql`${sameKey(event)} DESC`)
    .limit(1);
  const results = await db.batch([insertEvent, ...ticketSteps, readBack] as unknown as Parameters<ReceiverDb['batch']>[0]);
  const rows = results[results.length - 1] as { id: number; ticketId: number | null; intakeId: string }[];
  const row = rows[0];
  if (row === undefined) throw new Error('recordEvent: no row after insert');
  return { eventId: row.id, ticketId: row.ticketId, created: row.intakeId === intakeId };
}

function sameKey(event: Pick<NewEvent, 'eventType' | 'sessionId' | 'domain'>): SQL {
  return and(
    eq(webhookEvents.eventType, event.eventType),
    eq(webhookEvents.sessionId, event.sessionId),
    eq(webhookEvents.domain, event.domain),
  )!;
}

export interface TicketFilter {
  status?: 'open' | 'closed';
  domain?: string;
  sessionId?: string;
  /** Return tickets with an id below this one (keyset pagination, newest first). */
  before?: number;
  limit: number;
}

/** Tickets newest first, filtered; fetches one extra row to tell whether a next page exists. */
export async function listTickets(db: ReceiverDb, filter: TicketFilter): Promise<{ items: Ticket[]; hasMore: boolean }> {
  const conditions = [
    filter.status && eq(tickets.status, filter.status),
    filter.domain && eq(tickets.domain, filter.domain),
    filter.sessionId && eq(tickets.sessionId, filter.sessionId),
    filter.before !== undefined && lt(tickets.id, filter.before),
  ].filter((c): c is SQL => Boolean(c));
  const rows = await db
    .select()
    .from(tickets)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(tickets.id))
    .limit(filter.limit + 1);
  return { items: rows.slice(0, filter.limit), hasMore: rows.length > filter.limit };
}

/** One ticket with its timeline (events in arrival order), or null. */
export async function getTicketWithEvents(
  db: ReceiverDb,
  id: number,
): Promise<{ ticket: Ticket; events: WebhookEvent[] } | null> {
  const [ticketRows, events] = await db.batch([
    db.select().from(tickets).where(eq(tickets.id, id)),
    db.select().from(webhookEvents).where(eq(webhookEvents.ticketId, id)).orderBy(asc(webhookEvents.id)),
  ]);
  const ticket = ticketRows[0];
  return ticket ? { ticket, events } : null;
}

