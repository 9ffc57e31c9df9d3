/**
 * Emitter database queries: accepting into the outbox, claiming due messages under a lease
 * (respecting per-session order), recording attempts, and the operator views.
 */
import { and, asc, desc, eq, getTableColumns, gte, inArray, lt, sql } from 'drizzle-orm';
import { allOf, pageOf } from '../keyset-page';
import type { Db } from '../connection';
import {
  deliveryAttempts,
  emitterState,
  outboxMessages,
  type DeliveryAttempt,
  type DeliveryStatus,
  type OutboxMessage,
} from './schema';

/** emitter_state key: '1' while Ops answers, '0' after a delivery failed to reach it. */
export const OPS_REACHABLE = 'ops_reachable';
/** emitter_state key: when the last recovery probe was sent (ms). */
export const LAST_PROBE_AT = 'last_probe_at';

export interface NewMessage {
  id: string;
  eventType: string;
  sessionId: string;
  domain: string;
  payload: string;
  status: 'pending' | 'skipped';
}

/**
 * Inserts unless the (event, session, domain) key exists, and in the same transaction leases the
 * new message for immediate delivery when it is first in line for its session (`leaseMs`).
 * Returns the stored message, whether it is new, and whether this call holds its lease.
 * Hot path (every portal call): constant SQL over the client, one round trip.
 */
export async function acceptMessage(
  db: Db,
  message: NewMessage,
  now: number,
  leaseMs: number,
): Promise<{ message: OutboxMessage; created: boolean; claimed: boolean }> {
  const [, claim, read] = await db.$client.batch(
    [
      {
        sql: ACCEPT_MESSAGE,
        args: [message.id, message.eventType, message.sessionId, message.domain, message.payload, message.status, now],
      },
      // Claims only a row this call just inserted: a repeat finds it already leased or not due.
      { sql: CLAIM_NEW, args: [now + leaseMs, now, message.id] },
      { sql: MESSAGE_BY_KEY, args: [message.eventType, message.sessionId, message.domain] },
    ],
    'write',
  );
  const row = read!.rows[0];
  if (!row) throw new Error('acceptMessage: no row after insert');
  const created = row.id === message.id;
  return { message: messageFromRow(row), created, claimed: created && claim!.rows.length === 1 };
}

const ACCEPT_MESSAGE = `INSERT INTO outbox_messages
  (id, event_type, session_id, domain, payload, status, attempts, schedule_index, next_attempt_at, created_at, updated_at)
  VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, 0, ?7, ?7, ?7) ON CONFLICT DO NOTHING`;

const MESSAGE_BY_KEY = 'SELECT * FROM outbox_messages WHERE event_type = ?1 AND session_id = ?2 AND domain = ?3';

/** Property name → column name of the outbox table, read from the schema (so it cannot drift). */
const MESSAGE_COLUMNS = Object.entries(getTableColumns(outboxMessages)).map(([key, column]) => [key, column.name] as const);

/** A row of `SELECT *` / `RETURNING *` from the hand-written SQL, as drizzle's select would type it. */
function messageFromRow(row: Record<string, unknown>): OutboxMessage {
  return Object.fromEntries(MESSAGE_COLUMNS.map(([key, name]) => [key, row[name]])) as OutboxMessage;
}

/** Which pending messages a claim may take. */
export type ClaimScope =
  | { kind: 'due'; limit: number }
  | { kind: 'one'; id: string }
  /** The oldest pending message, even if its next attempt is not due yet (a recovery probe). */
  | { kind: 'probe' };

/**
 * Atomically leases messages that are pending, not leased, and first in line for their session
 * (no earlier pending message of the same session and domain), so events of one session go out
 * in acceptance order. Returns the claimed rows.
 */
export async function claimMessages(db: Db, scope: ClaimScope, now: number, leaseMs: number): Promise<OutboxMessage[]> {
  const [sql, args] =
    scope.kind === 'due'
      ? [CLAIM_DUE, [now + leaseMs, now, scope.limit]]
      : scope.kind === 'one'
        ? [CLAIM_ONE, [now + leaseMs, now, scope.id]]
        : [CLAIM_PROBE, [now + leaseMs, now]];
  const result = await db.$client.execute({ sql, args });
  return result.rows.map(messageFromRow).sort((a, b) => a.seq - b.seq);
}

/** Leases up to `limit` messages picked by `pick` (?1 = lease end, ?2 = now). */
const claim = (pick: string, limit: string) => `UPDATE outbox_messages SET lease_until = ?1, updated_at = ?2
  WHERE seq IN (
    SELECT m.seq FROM outbox_messages m
    WHERE m.status = 'pending' AND (m.lease_until IS NULL OR m.lease_until < ?2) AND ${pick}
      AND NOT EXISTS (
        SELECT 1 FROM outbox_messages p
        WHERE p.session_id = m.session_id AND p.domain = m.domain AND p.status = 'pending' AND p.seq < m.seq
      )
    ORDER BY m.seq LIMIT ${limit}
  )
  RETURNING *`;

const CLAIM_DUE = claim('m.next_attempt_at <= ?2', '?3');
const CLAIM_ONE = claim('m.next_attempt_at <= ?2 AND m.id = ?3', '1');
const CLAIM_PROBE = claim('(m.not_before IS NULL OR m.not_before <= ?2)', '1');
const CLAIM_NEW = claim('m.next_attempt_at <= ?2 AND m.id = ?3 AND m.attempts = 0', '1');

export interface AttemptRecord {
  trigger: string;
  startedAt: number;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseBody: string | null;
  outcome: 'delivered' | 'retry' | 'dead';
  /** For `retry`: when to try again. */
  nextAttemptAt: number | null;
  /** For `retry`: the schedule position after this attempt. */
  scheduleIndex: number;
  /** Earliest next send Ops asked for (Retry-After), if it did. */
  notBefore: number | null;
}

/**
 * Stores one attempt and moves the message on (delivered, retry later, or dead), releasing its
 * lease, in one atomic batch. `opsReachable` records whether Ops answered sanely; when it flips
 * from unreachable to reachable, the whole waiting backlog is made due at once (prompt drain).
 */
export async function recordAttempt(
  db: Db,
  message: OutboxMessage,
  attempt: AttemptRecord,
  now: number,
  opsReachable: boolean,
): Promise<void> {
  const status: DeliveryStatus = attempt.outcome === 'delivered' ? 'delivered' : attempt.outcome === 'dead' ? 'dead' : 'pending';
  const lastError = attempt.error ?? (attempt.outcome === 'delivered' ? null : (attempt.responseBody?.slice(0, 300) ?? null));
  await db.$client.batch(
    [
      ...(opsReachable
        ? [
            { sql: PULL_BACKLOG_IF_RECOVERED, args: [now, message.id, OPS_REACHABLE] },
            { sql: SET_STATE_IF_CHANGED, args: [OPS_REACHABLE, '1'] },
          ]
        : [{ sql: SET_STATE_IF_CHANGED, args: [OPS_REACHABLE, '0'] }]),
      {
        sql: INSERT_ATTEMPT,
        args: [
          message.id,
          message.attempts + 1,
          attempt.trigger,
          attempt.startedAt,
          attempt.durationMs,
          attempt.statusCode,
          attempt.error,
          attempt.responseBody,
          attempt.outcome,
          attempt.nextAttemptAt,
        ],
      },
      {
        sql: UPDATE_AFTER_ATTEMPT,
        args: [
          status,
          attempt.scheduleIndex,
          attempt.nextAttemptAt ?? now,
          attempt.notBefore,
          attempt.statusCode,
          lastError,
          attempt.outcome === 'delivered' ? now : null,
          now,
          message.id,
        ],
      },
    ],
    'write',
  );
}

/** When Ops was marked unreachable, every other waiting message becomes due (respecting Retry-After). */
const PULL_BACKLOG_IF_RECOVERED = `UPDATE outbox_messages SET next_attempt_at = max(?1, coalesce(not_before, 0)), updated_at = ?1
  WHERE status = 'pending' AND next_attempt_at > ?1 AND id != ?2
    AND EXISTS (SELECT 1 FROM emitter_state WHERE key = ?3 AND value = '0')`;

const SET_STATE_IF_CHANGED = `INSERT INTO emitter_state (key, value) VALUES (?1, ?2)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE value != excluded.value`;

const INSERT_ATTEMPT = `INSERT INTO delivery_attempts
  (message_id, attempt_no, trigger, started_at, duration_ms, status_code, error, response_body, outcome, next_attempt_at)
  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)`;

const UPDATE_AFTER_ATTEMPT = `UPDATE outbox_messages SET status = ?1, attempts = attempts + 1, schedule_index = ?2,
  next_attempt_at = ?3, not_before = ?4, lease_until = NULL, last_status = ?5, last_error = ?6, delivered_at = ?7,
  updated_at = ?8, requeued_by = NULL WHERE id = ?9`;

/** Reads a value of the emitter's shared state. */
export async function getState(db: Db, key: string): Promise<string | undefined> {
  const rows = await db.select().from(emitterState).where(eq(emitterState.key, key));
  return rows[0]?.value;
}

/** Writes a value of the emitter's shared state. */
export async function setState(db: Db, key: string, value: string): Promise<void> {
  await db.insert(emitterState).values({ key, value }).onConflictDoUpdate({ target: emitterState.key, set: { value } });
}

/** Pending count, due count and the oldest pending message's acceptance time. */
export async function backlogStats(db: Db, now: number) {
  const [row] = await db
    .select({
      pending: sql<number>`count(*)`,
      due: sql<number>`coalesce(sum(${outboxMessages.nextAttemptAt} <= ${now}), 0)`,
      oldest: sql<number | null>`min(${outboxMessages.createdAt})`,
    })
    .from(outboxMessages)
    .where(eq(outboxMessages.status, 'pending'));
  const [dead] = await db.select({ n: sql<number>`count(*)` }).from(outboxMessages).where(eq(outboxMessages.status, 'dead'));
  return { pending: row?.pending ?? 0, due: row?.due ?? 0, oldestCreatedAt: row?.oldest ?? null, dead: dead?.n ?? 0 };
}

export interface DeliveryFilter {
  status?: DeliveryStatus;
  before?: number;
  limit: number;
}

/** Messages newest first, with keyset pagination on `seq`. */
export async function listMessages(db: Db, filter: DeliveryFilter): Promise<{ items: OutboxMessage[]; hasMore: boolean }> {
  const rows = await db
    .select()
    .from(outboxMessages)
    .where(
      allOf([
        filter.status && eq(outboxMessages.status, filter.status),
        filter.before !== undefined && lt(outboxMessages.seq, filter.before),
      ]),
    )
    .orderBy(desc(outboxMessages.seq))
    .limit(filter.limit + 1);
  return pageOf(rows, filter.limit);
}

/** One message with every attempt, oldest first. */
export async function getMessageWithAttempts(db: Db, id: string): Promise<{ message: OutboxMessage; attempts: DeliveryAttempt[] } | null> {
  const [messages, attempts] = await db.batch([
    db.select().from(outboxMessages).where(eq(outboxMessages.id, id)),
    db.select().from(deliveryAttempts).where(eq(deliveryAttempts.messageId, id)).orderBy(asc(deliveryAttempts.id)),
  ]);
  const message = messages[0];
  return message ? { message, attempts } : null;
}

/**
 * Puts messages back in line: pending, due now, schedule restarted. A delivered message is sent
 * again too (the receiver answers it as a duplicate): a manual redeliver always sends.
 */
export async function requeueMessages(
  db: Db,
  where: { id: string } | { statuses: DeliveryStatus[]; since?: number },
  now: number,
): Promise<number> {
  const condition =
    'id' in where
      ? eq(outboxMessages.id, where.id)
      : and(
          inArray(outboxMessages.status, where.statuses),
          where.since !== undefined ? gte(outboxMessages.createdAt, where.since) : undefined,
        );
  const result = await db
    .update(outboxMessages)
    // The lease is left alone: a delivery in flight finishes and records its own outcome.
    .set({ status: 'pending', scheduleIndex: 0, nextAttemptAt: now, notBefore: null, updatedAt: now })
    .where(condition);
  return result.rowsAffected;
}
