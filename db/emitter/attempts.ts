/**
 * Recording a delivery attempt and moving its message on, with whether Ops answered (the
 * emitter's shared state, state.ts).
 */
import type { Db, Statement } from '../connection';
import type { DeliveryStatus, OutboxMessage } from './schema';
import { CLOCK_SKEW, OPS_REACHABLE } from './state';

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
  /** With an answer from Ops: what it says of the clocks ('' when it took the timestamp, JSON when it refused it as skewed). */
  clockSkew?: string;
}

/** When Ops was marked unreachable, every other waiting message becomes due (respecting Retry-After). */
const PULL_BACKLOG_IF_RECOVERED = `UPDATE outbox_messages SET next_attempt_at = max(:now, coalesce(not_before, 0)), updated_at = :now
  WHERE status = 'pending' AND next_attempt_at > :now AND id != :id
    AND EXISTS (SELECT 1 FROM emitter_state WHERE key = :key AND value = '0')`;

const SET_STATE_IF_CHANGED = `INSERT INTO emitter_state (key, value) VALUES (:key, :value)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE value != excluded.value`;

const INSERT_ATTEMPT = `INSERT INTO delivery_attempts
  (message_id, attempt_no, trigger, started_at, duration_ms, status_code, error, response_body, outcome, next_attempt_at)
  VALUES (:id, :attemptNo, :trigger, :startedAt, :durationMs, :statusCode, :error, :responseBody, :outcome, :nextAttemptAt)`;

const UPDATE_AFTER_ATTEMPT = `UPDATE outbox_messages SET status = :status, attempts = attempts + 1, schedule_index = :scheduleIndex,
  next_attempt_at = :nextAttemptAt, not_before = :notBefore, lease_until = NULL, last_status = :statusCode, last_error = :lastError,
  delivered_at = :deliveredAt, updated_at = :now, requeued_by = NULL WHERE id = :id`;

/**
 * Stores one attempt and moves the message on (delivered, retry later, or dead), releasing its
 * lease, in one atomic batch. `opsReachable` records whether Ops answered sanely; when it flips
 * from unreachable to reachable, the whole waiting backlog is made due at once (prompt drain).
 */
export async function recordAttempt(
  db: Db,
  message: Pick<OutboxMessage, 'id' | 'attempts'>,
  attempt: AttemptRecord,
  now: number,
  opsReachable: boolean,
): Promise<void> {
  await db.$client.batch(attemptStatements(message, attempt, now, opsReachable), 'write');
}

/** The statements of {@link recordAttempt}, in order (exposed for the query-plan test). */
export function attemptStatements(message: Pick<OutboxMessage, 'id' | 'attempts'>, attempt: AttemptRecord, now: number, opsReachable: boolean): Statement[] {
  const status: DeliveryStatus = attempt.outcome === 'delivered' ? 'delivered' : attempt.outcome === 'dead' ? 'dead' : 'pending';
  const lastError = attempt.error ?? (attempt.outcome === 'delivered' ? null : (attempt.responseBody?.slice(0, 300) ?? null));
  return [
    ...(opsReachable
      ? [
          { sql: PULL_BACKLOG_IF_RECOVERED, args: { now, id: message.id, key: OPS_REACHABLE } },
          { sql: SET_STATE_IF_CHANGED, args: { key: OPS_REACHABLE, value: '1' } },
        ]
      : [{ sql: SET_STATE_IF_CHANGED, args: { key: OPS_REACHABLE, value: '0' } }]),
    ...(attempt.clockSkew === undefined ? [] : [{ sql: SET_STATE_IF_CHANGED, args: { key: CLOCK_SKEW, value: attempt.clockSkew } }]),
    {
      sql: INSERT_ATTEMPT,
      args: {
        id: message.id,
        attemptNo: message.attempts + 1,
        trigger: attempt.trigger,
        startedAt: attempt.startedAt,
        durationMs: attempt.durationMs,
        statusCode: attempt.statusCode,
        error: attempt.error,
        responseBody: attempt.responseBody,
        outcome: attempt.outcome,
        nextAttemptAt: attempt.nextAttemptAt,
      },
    },
    {
      sql: UPDATE_AFTER_ATTEMPT,
      args: {
        id: message.id,
        status,
        scheduleIndex: attempt.scheduleIndex,
        nextAttemptAt: attempt.nextAttemptAt ?? now,
        notBefore: attempt.notBefore,
        statusCode: attempt.statusCode,
        lastError,
        deliveredAt: attempt.outcome === 'delivered' ? now : null,
        now,
      },
    },
  ];
}
