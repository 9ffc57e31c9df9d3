/**
 * Recording an attempt of an outbox message and moving the message on, with whether the peer
 * answered (the outbox's state): one atomic batch, to which the outbox may add its own state.
 */
import type { Db, Statement } from '../connection';
import type { OutboxTables } from './outbox-tables';

/** What an attempt came to: the one statement of the list (the record, the API's schema). */
export const ATTEMPT_OUTCOMES = ['delivered', 'retry', 'dead'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

export interface AttemptRecord {
  trigger: string;
  startedAt: number;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseBody: string | null;
  outcome: AttemptOutcome;
  /** For `retry`: when to try again. */
  nextAttemptAt: number | null;
  /** For `retry`: the schedule position after this attempt. */
  scheduleIndex: number;
  /** Earliest next send the peer asked for (Retry-After), if it did. */
  notBefore: number | null;
}

/** An upsert of a state key that writes only when the value changes. */
export const SET_STATE_IF_CHANGED = (tables: OutboxTables) => `INSERT INTO ${tables.state} (key, value) VALUES (:key, :value)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE value != excluded.value`;

const cache = new WeakMap<OutboxTables, { pull: string; setState: string; insert: string; update: string }>();

function attemptSql(tables: OutboxTables) {
  const cached = cache.get(tables);
  if (cached) return cached;
  const built = {
    /** When the peer was marked unreachable, every other waiting message becomes due (respecting Retry-After). */
    pull: `UPDATE ${tables.messages} SET next_attempt_at = max(:now, coalesce(not_before, 0)), updated_at = :now
  WHERE status = 'pending' AND next_attempt_at > :now AND id != :id
    AND EXISTS (SELECT 1 FROM ${tables.state} WHERE key = :key AND value = '0')`,
    setState: SET_STATE_IF_CHANGED(tables),
    insert: `INSERT INTO ${tables.attempts}
  (message_id, attempt_no, trigger, started_at, duration_ms, status_code, error, response_body, outcome, next_attempt_at)
  VALUES (:id, :attemptNo, :trigger, :startedAt, :durationMs, :statusCode, :error, :responseBody, :outcome, :nextAttemptAt)`,
    update: `UPDATE ${tables.messages} SET status = :status, attempts = attempts + 1, schedule_index = :scheduleIndex,
  next_attempt_at = :nextAttemptAt, not_before = :notBefore, lease_until = NULL, last_status = :statusCode, last_error = :lastError,
  delivered_at = :deliveredAt, updated_at = :now, requeued_by = NULL WHERE id = :id`,
  };
  cache.set(tables, built);
  return built;
}

/**
 * The statements that store one attempt and move the message on (delivered, retry later, or
 * dead), releasing its lease. `peerReachable` records whether the peer answered sanely; when it
 * flips from unreachable to reachable, the whole waiting backlog is made due at once (prompt
 * drain). `extra` (the outbox's own state) joins the same batch.
 */
export function attemptStatements(
  tables: OutboxTables,
  message: { id: string; attempts: number },
  attempt: AttemptRecord,
  now: number,
  peerReachable: boolean,
  extra: Statement[] = [],
): Statement[] {
  const sql = attemptSql(tables);
  const status = attempt.outcome === 'delivered' ? 'delivered' : attempt.outcome === 'dead' ? 'dead' : 'pending';
  const lastError = attempt.error ?? (attempt.outcome === 'delivered' ? null : (attempt.responseBody?.slice(0, 300) ?? null));
  return [
    ...(peerReachable
      ? [
          { sql: sql.pull, args: { now, id: message.id, key: tables.keys.reachable } },
          { sql: sql.setState, args: { key: tables.keys.reachable, value: '1' } },
        ]
      : [{ sql: sql.setState, args: { key: tables.keys.reachable, value: '0' } }]),
    ...extra,
    {
      sql: sql.insert,
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
      sql: sql.update,
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

/** Stores one attempt (see {@link attemptStatements}) in one atomic batch. */
export async function recordAttempt(db: Db, tables: OutboxTables, message: { id: string; attempts: number }, attempt: AttemptRecord, now: number, peerReachable: boolean, extra: Statement[] = []): Promise<void> {
  await db.$client.batch(attemptStatements(tables, message, attempt, now, peerReachable, extra), 'write');
}
