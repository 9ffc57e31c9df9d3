/**
 * Accepting a portal event into the outbox: the emitter's hot path (every portal call), constant
 * SQL over the client in one round trip.
 */
import type { Db, Statement } from '../connection';
import { claimStatement } from './claims';
import { messageFromRow } from './message-row';
import type { OutboxMessage } from './schema';

export interface NewMessage {
  id: string;
  eventType: string;
  sessionId: string;
  domain: string;
  payload: string;
  status: 'pending' | 'skipped';
}

const ACCEPT_MESSAGE = `INSERT INTO outbox_messages
  (id, event_type, session_id, domain, payload, status, attempts, schedule_index, next_attempt_at, created_at, updated_at)
  VALUES (:id, :type, :session, :domain, :payload, :status, 0, 0, :now, :now, :now) ON CONFLICT DO NOTHING`;

const MESSAGE_BY_KEY = 'SELECT * FROM outbox_messages WHERE event_type = :type AND session_id = :session AND domain = :domain';

/** The statements of one acceptance, in order (exposed for the query-plan test). */
export function acceptStatements(message: NewMessage, now: number, leaseMs: number): Statement[] {
  const key = { type: message.eventType, session: message.sessionId, domain: message.domain };
  return [
    { sql: ACCEPT_MESSAGE, args: { ...key, id: message.id, payload: message.payload, status: message.status, now } },
    // Claims only a row this call just inserted: a repeat finds it already leased or not due.
    claimStatement({ kind: 'new', id: message.id }, now, leaseMs),
    { sql: MESSAGE_BY_KEY, args: key },
  ];
}

/**
 * Inserts unless the (event, session, domain) key exists, and in the same transaction leases the
 * new message for immediate delivery when it is first in line for its session (`leaseMs`).
 * Returns the stored message, whether it is new, and whether this call holds its lease.
 */
export async function acceptMessage(
  db: Db,
  message: NewMessage,
  now: number,
  leaseMs: number,
): Promise<{ message: OutboxMessage; created: boolean; claimed: boolean }> {
  const [, claim, read] = await db.$client.batch(acceptStatements(message, now, leaseMs), 'write');
  const row = read!.rows[0];
  if (!row) throw new Error('acceptMessage: no row after insert');
  const created = row.id === message.id;
  return { message: messageFromRow(row), created, claimed: created && claim!.rows.length === 1 };
}
