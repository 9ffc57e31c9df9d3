/**
 * Receiver database queries. `recordEvent` is the hot path: one atomic batch (one round trip)
 * that inserts the event unless its key exists, opens or links a ticket, and reads back the row
 * that won, so concurrent identical deliveries all see the same event and ticket.
 */
import { asc, desc, eq, lt } from 'drizzle-orm';
import { allOf, pageOf } from '../keyset-page';
import type { Db } from '../connection';
import { tickets, webhookEvents, type Ticket, type WebhookEvent } from './schema';

export interface NewEvent {
  eventType: string;
  sessionId: string;
  domain: string;
  webhookId: string | null;
  occurredAt: number | null;
  data: string;
}

/** What an event does on the desk: open a ticket, or join its session's open ticket (see the ticket policy). */
export type TicketPlan =
  | { action: 'open'; priority: 'normal' | 'high'; subject: string }
  | { action: 'link' };

export type RecordOutcome =
  | { conflict: false; eventId: number; ticketId: number | null; created: boolean }
  /** The webhook-id is already the id of another event (another business key): nothing was recorded. */
  | { conflict: true };

/**
 * Records one event idempotently. The unique indexes on the key (session_id, domain, event_type)
 * and on webhook_id make the insert a no-op for a repeat; `intakeId` (random per call) tells this
 * call whether its own insert won, and the later statements act only if it did. They find that
 * row by its key and intake_id, through the key's index: an index on intake_id itself would be
 * one more randomly placed page written by every intake.
 *
 * Written as constant SQL texts over the libSQL client rather than built by drizzle per call:
 * this is the hot path, building the four statements cost more worker CPU than sending them,
 * and constant texts hit the server's prepared-statement cache every time.
 */
export async function recordEvent(
  db: Db,
  event: NewEvent,
  plan: TicketPlan,
  intakeId: string,
  now: number,
): Promise<RecordOutcome> {
  const results = await db.$client.batch(intakeStatements(event, plan, intakeId, now), 'write');
  return outcomeOf(results[results.length - 1]!.rows[0], intakeId);
}

/**
 * The statements of one intake, in order; run them in one transaction and read the outcome from
 * the last one's row ({@link outcomeOf}). Exposed so that a plain-Node implementation (the
 * benchmark's baseline) runs exactly the same SQL.
 */
export function intakeStatements(event: NewEvent, plan: TicketPlan, intakeId: string, now: number): { sql: string; args: (string | number | null)[] }[] {
  const key = [event.eventType, event.sessionId, event.domain];
  return [
    {
      sql: plan.action === 'link' ? INSERT_LINKED_EVENT : INSERT_EVENT,
      args: [...key, event.webhookId, intakeId, event.occurredAt, now, event.data],
    },
    // A created delivery is counted by a trigger on the insert; a duplicate writes nothing else, so count it here.
    { sql: COUNT_DUPLICATE, args: [...key, intakeId] },
    ...(plan.action === 'open'
      ? [
          { sql: OPEN_TICKET, args: [plan.subject, plan.priority, now, now, intakeId, event.sessionId, event.domain, event.eventType] },
          { sql: ADOPT_SESSION_EVENTS, args: [intakeId, event.sessionId, event.domain, event.eventType] },
        ]
      : [{ sql: TOUCH_LINKED_TICKET, args: [now, intakeId, event.sessionId, event.domain, event.eventType] }]),
    { sql: READ_BACK, args: [...key, event.webhookId] },
  ];
}

/** The outcome of an intake from the row its last statement read back. */
export function outcomeOf(row: Record<string, unknown> | undefined, intakeId: string): RecordOutcome {
  if (row === undefined) throw new Error('recordEvent: no row after insert');
  if (!row.same_key) return { conflict: true };
  return {
    conflict: false,
    eventId: Number(row.id),
    ticketId: row.ticket_id === null ? null : Number(row.ticket_id),
    created: row.intake_id === intakeId,
  };
}

const EVENT_COLUMNS = 'event_type, session_id, domain, webhook_id, intake_id, occurred_at, received_at, data, ticket_id';

const INSERT_EVENT = `INSERT INTO webhook_events (${EVENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL) ON CONFLICT DO NOTHING`;

/**
 * A timeline event joins the newest ticket of its session and domain, if there is one, open or
 * closed: a milestone after a ticket was closed lands on that ticket's timeline (it does not
 * reopen it), never nowhere.
 */
const INSERT_LINKED_EVENT = `INSERT INTO webhook_events (${EVENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,
  (SELECT id FROM tickets WHERE session_id = ?2 AND domain = ?3 ORDER BY id DESC LIMIT 1))
  ON CONFLICT DO NOTHING`;

/**
 * The condition that picks this intake's own event row: by the key, so the key's index finds it,
 * and by `intake_id`, so it is the row this intake inserted. Arguments are the parameter numbers
 * of the statement at hand (`?N`), and the alias of webhook_events when the statement uses one.
 */
function ownRow(p: { type: number; session: number; domain: number; intake: number }, alias = ''): string {
  const col = (name: string) => (alias ? `${alias}.${name}` : name);
  return `${col('session_id')} = ?${p.session} AND ${col('domain')} = ?${p.domain} AND ${col('event_type')} = ?${p.type} AND ${col('intake_id')} = ?${p.intake}`;
}

const OPEN_TICKET = `INSERT INTO tickets (subject, priority, status, domain, session_id, opened_by_event_id, created_at, updated_at)
  SELECT ?1, ?2, 'open', domain, session_id, id, ?3, ?4 FROM webhook_events
  WHERE ${ownRow({ type: 8, session: 6, domain: 7, intake: 5 })}`;

/** The new ticket adopts its own event and any earlier events of the session that had no ticket yet. */
const ADOPT_SESSION_EVENTS = `UPDATE webhook_events
  SET ticket_id = (SELECT t.id FROM tickets t JOIN webhook_events mine ON mine.id = t.opened_by_event_id
    WHERE ${ownRow({ type: 4, session: 2, domain: 3, intake: 1 }, 'mine')})
  WHERE session_id = ?2 AND domain = ?3 AND ticket_id IS NULL
    AND EXISTS (SELECT 1 FROM webhook_events WHERE ${ownRow({ type: 4, session: 2, domain: 3, intake: 1 })})`;

const TOUCH_LINKED_TICKET = `UPDATE tickets SET updated_at = ?1
  WHERE id = (SELECT ticket_id FROM webhook_events WHERE ${ownRow({ type: 5, session: 3, domain: 4, intake: 2 })})`;

/** Adds one to deliveries_total{outcome="duplicate"} when this delivery's insert lost to an event of the same key. */
const COUNT_DUPLICATE = `INSERT INTO metric_counters (name, labels, value)
  SELECT 'ops_webhook_receiver_deliveries_total', 'event="' || ?1 || '",outcome="duplicate"', 1
  WHERE NOT EXISTS (SELECT 1 FROM webhook_events WHERE ${ownRow({ type: 1, session: 2, domain: 3, intake: 4 })})
    AND EXISTS (SELECT 1 FROM webhook_events WHERE event_type = ?1 AND session_id = ?2 AND domain = ?3)
  ON CONFLICT (name, labels) DO UPDATE SET value = value + excluded.value`;

/** The row that won: a business-key match first, else a webhook-id match (a conflict: `same_key` is 0). */
const READ_BACK = `SELECT id, ticket_id, intake_id, (event_type = ?1 AND session_id = ?2 AND domain = ?3) AS same_key FROM webhook_events
  WHERE (event_type = ?1 AND session_id = ?2 AND domain = ?3) OR (?4 IS NOT NULL AND webhook_id = ?4)
  ORDER BY (event_type = ?1 AND session_id = ?2 AND domain = ?3) DESC LIMIT 1`;


export interface TicketFilter {
  status?: 'open' | 'closed';
  domain?: string;
  sessionId?: string;
  /** Return tickets with an id below this one (keyset pagination, newest first). */
  before?: number;
  limit: number;
}

/** Tickets newest first, filtered; fetches one extra row to tell whether a next page exists. */
export async function listTickets(db: Db, filter: TicketFilter): Promise<{ items: Ticket[]; hasMore: boolean }> {
  const rows = await db
    .select()
    .from(tickets)
    .where(
      allOf([
        filter.status && eq(tickets.status, filter.status),
        filter.domain && eq(tickets.domain, filter.domain),
        filter.sessionId && eq(tickets.sessionId, filter.sessionId),
        filter.before !== undefined && lt(tickets.id, filter.before),
      ]),
    )
    .orderBy(desc(tickets.id))
    .limit(filter.limit + 1);
  return pageOf(rows, filter.limit);
}

/** One ticket with its timeline (events in arrival order), or null. */
export async function getTicketWithEvents(
  db: Db,
  id: number,
): Promise<{ ticket: Ticket; events: WebhookEvent[] } | null> {
  const [ticketRows, events] = await db.batch([
    db.select().from(tickets).where(eq(tickets.id, id)),
    db.select().from(webhookEvents).where(eq(webhookEvents.ticketId, id)).orderBy(asc(webhookEvents.id)),
  ]);
  const ticket = ticketRows[0];
  return ticket ? { ticket, events } : null;
}

/**
 * Retention of raw event data: empties `data` of up to `limit` events received before `before`
 * whose ticket is closed, and marks them; their timeline entries keep type and times. Returns how many.
 */
export async function purgeEventData(db: Db, before: number, now: number, limit: number): Promise<number> {
  const result = await db.$client.execute({
    sql: `UPDATE webhook_events SET data = '{}', data_purged_at = ?2 WHERE id IN (
      SELECT e.id FROM webhook_events e JOIN tickets t ON t.id = e.ticket_id
      WHERE t.status = 'closed' AND e.received_at < ?1 AND e.data_purged_at IS NULL LIMIT ?3)`,
    args: [before, now, limit],
  });
  return result.rowsAffected;
}
