/**
 * The receiver's intake, its hot path. `recordEvent` is one atomic batch (one round trip)
 * that inserts the event unless its key exists, opens or links a ticket, and reads back the row
 * that won, so concurrent identical deliveries all see the same event and ticket.
 */
import type { Db, Statement } from '../connection';
import type { NotifyChannel, TicketPriority } from './schema';

export interface NewEvent {
  eventType: string;
  sessionId: string;
  domain: string;
  webhookId: string | null;
  occurredAt: number | null;
  data: string;
}

/**
 * What an event does on the desk: open a ticket (telling people on `notify`'s channels), or join
 * its session's open ticket (see the ticket policy).
 */
export type TicketPlan =
  | { action: 'open'; priority: TicketPriority; subject: string; notify?: readonly NotifyChannel[] }
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
export function intakeStatements(event: NewEvent, plan: TicketPlan, intakeId: string, now: number): Statement[] {
  const key = { type: event.eventType, session: event.sessionId, domain: event.domain };
  const own = { ...key, intake: intakeId };
  return [
    {
      sql: plan.action === 'link' ? INSERT_LINKED_EVENT : INSERT_EVENT,
      args: { ...own, webhook: event.webhookId, occurred: event.occurredAt, now, data: event.data },
    },
    // A created delivery is counted by a trigger on the insert; a duplicate writes nothing else, so count it here.
    { sql: COUNT_DUPLICATE, args: own },
    ...(plan.action === 'open'
      ? [
          { sql: OPEN_TICKET, args: { ...own, subject: plan.subject, priority: plan.priority, now } },
          { sql: ADOPT_SESSION_EVENTS, args: own },
          // The ticket's notifications, in the same transaction: a 201 means they are in line.
          ...(plan.notify ?? []).map((channel) => ({ sql: NOTIFY_OPENED, args: { ...own, channel, now } })),
        ]
      : [{ sql: TOUCH_LINKED_TICKET, args: { ...own, now } }]),
    { sql: READ_BACK, args: { ...key, webhook: event.webhookId } },
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
const EVENT_VALUES = ':type, :session, :domain, :webhook, :intake, :occurred, :now, :data';

const INSERT_EVENT = `INSERT INTO webhook_events (${EVENT_COLUMNS}) VALUES (${EVENT_VALUES}, NULL) ON CONFLICT DO NOTHING`;

/**
 * A timeline event joins the newest ticket of its session and domain, if there is one, open or
 * closed: a milestone after a ticket was closed lands on that ticket's timeline (it does not
 * reopen it), never nowhere.
 */
const INSERT_LINKED_EVENT = `INSERT INTO webhook_events (${EVENT_COLUMNS}) VALUES (${EVENT_VALUES},
  (SELECT id FROM tickets WHERE session_id = :session AND domain = :domain ORDER BY id DESC LIMIT 1))
  ON CONFLICT DO NOTHING`;

/** The key, as a condition the key's index serves. */
const SAME_KEY = 'event_type = :type AND session_id = :session AND domain = :domain';

/**
 * The condition that picks this intake's own event row: by the key, so the key's index finds it,
 * and by `intake_id`, so it is the row this intake inserted. `alias` is that of webhook_events
 * when the statement uses one.
 */
function ownRow(alias = ''): string {
  const col = (name: string) => (alias ? `${alias}.${name}` : name);
  return `${col('session_id')} = :session AND ${col('domain')} = :domain AND ${col('event_type')} = :type AND ${col('intake_id')} = :intake`;
}

const OPEN_TICKET = `INSERT INTO tickets (subject, priority, status, domain, session_id, opened_by_event_id, created_at, updated_at)
  SELECT :subject, :priority, 'open', domain, session_id, id, :now, :now FROM webhook_events
  WHERE ${ownRow()}`;

/** The new ticket adopts its own event and any earlier events of the session that had no ticket yet. */
const ADOPT_SESSION_EVENTS = `UPDATE webhook_events
  SET ticket_id = (SELECT t.id FROM tickets t JOIN webhook_events mine ON mine.id = t.opened_by_event_id
    WHERE ${ownRow('mine')})
  WHERE session_id = :session AND domain = :domain AND ticket_id IS NULL
    AND EXISTS (SELECT 1 FROM webhook_events WHERE ${ownRow()})`;

/** Puts the new ticket's "opened" notification on `:channel` in line (its id: notificationId in notifications.ts). */
const NOTIFY_OPENED = `INSERT INTO notifications (id, ticket_id, channel, reason, status, attempts, schedule_index, next_attempt_at, created_at, updated_at)
  SELECT 'ticket-' || t.id || '.opened.' || :channel, t.id, :channel, 'opened', 'pending', 0, 0, :now, :now, :now
  FROM tickets t JOIN webhook_events mine ON mine.id = t.opened_by_event_id
  WHERE ${ownRow('mine')}
  ON CONFLICT (id) DO NOTHING`;

const TOUCH_LINKED_TICKET = `UPDATE tickets SET updated_at = :now
  WHERE id = (SELECT ticket_id FROM webhook_events WHERE ${ownRow()})`;

/** Adds one to deliveries_total{outcome="duplicate"} when this delivery's insert lost to an event of the same key. */
const COUNT_DUPLICATE = `INSERT INTO metric_counters (name, labels, value)
  SELECT 'ops_webhook_receiver_deliveries_total', 'event="' || :type || '",outcome="duplicate"', 1
  WHERE NOT EXISTS (SELECT 1 FROM webhook_events WHERE ${ownRow()})
    AND EXISTS (SELECT 1 FROM webhook_events WHERE ${SAME_KEY})
  ON CONFLICT (name, labels) DO UPDATE SET value = value + excluded.value`;

/** The row that won: a business-key match first, else a webhook-id match (a conflict: `same_key` is 0). */
const READ_BACK = `SELECT id, ticket_id, intake_id, (${SAME_KEY}) AS same_key FROM webhook_events
  WHERE (${SAME_KEY}) OR (:webhook IS NOT NULL AND webhook_id = :webhook)
  ORDER BY (${SAME_KEY}) DESC LIMIT 1`;
