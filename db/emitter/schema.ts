/**
 * Emitter (VM112) tables: the durable outbox of accepted events, one row per delivery attempt,
 * and a little shared state (whether Ops answered last time, when the last probe ran).
 * Times are Unix milliseconds.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { ATTEMPT_OUTCOMES } from '../outbox/attempts';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'dead', 'skipped'] as const;
/** What started an attempt: right after the 202, the sweep, a recovery probe, a person, or reconciliation (the receiver had no record of it). */
export const DELIVERY_TRIGGERS = ['accept', 'sweep', 'probe', 'manual', 'reconcile'] as const;
export type DeliveryTrigger = (typeof DELIVERY_TRIGGERS)[number];
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const outboxMessages = sqliteTable(
  'outbox_messages',
  {
    /** Acceptance order; per-session delivery follows it. */
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    /** Message id, sent as `webhook-id` on every attempt. */
    id: text('id').notNull(),
    eventType: text('event_type').notNull(),
    sessionId: text('session_id').notNull(),
    domain: text('domain').notNull(),
    /** The exact JSON body sent to Ops, frozen at acceptance. */
    payload: text('payload').notNull(),
    status: text('status', { enum: DELIVERY_STATUSES }).notNull(),
    /** Attempts made in all. */
    attempts: integer('attempts').notNull().default(0),
    /** Position in the retry schedule; a manual redeliver resets it. */
    scheduleIndex: integer('schedule_index').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    /** Set from Ops' Retry-After: neither a recovery probe nor a backlog drain sends before it. */
    notBefore: integer('not_before'),
    /** A sweep that claimed the message owns it until then (a crash mid-delivery just lets it expire). */
    leaseUntil: integer('lease_until'),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    deliveredAt: integer('delivered_at'),
    /** Why a delivered message was put back in line (`reconcile`: the receiver had no record of it); its next attempt says so, then it clears. */
    requeuedBy: text('requeued_by', { enum: ['reconcile'] }),
  },
  (t) => [
    uniqueIndex('outbox_messages_id_unique').on(t.id),
    uniqueIndex('outbox_messages_dedup_key_unique').on(t.eventType, t.sessionId, t.domain),
    index('outbox_messages_due_idx').on(t.status, t.nextAttemptAt),
    index('outbox_messages_session_idx').on(t.sessionId, t.domain, t.status, t.seq),
    // Retention finds old delivered and skipped messages by status and age.
    index('outbox_messages_status_updated_idx').on(t.status, t.updatedAt),
  ],
);

export const deliveryAttempts = sqliteTable(
  'delivery_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    messageId: text('message_id').notNull(),
    attemptNo: integer('attempt_no').notNull(),
    /** What started it (DELIVERY_TRIGGERS). */
    trigger: text('trigger', { enum: DELIVERY_TRIGGERS }).notNull(),
    startedAt: integer('started_at').notNull(),
    durationMs: integer('duration_ms').notNull(),
    statusCode: integer('status_code'),
    /** Network error or timeout, when no HTTP answer came. */
    error: text('error'),
    /** First 2 KiB of the answer. */
    responseBody: text('response_body'),
    /** delivered, retry or dead. */
    outcome: text('outcome', { enum: ATTEMPT_OUTCOMES }).notNull(),
    nextAttemptAt: integer('next_attempt_at'),
  },
  (t) => [index('delivery_attempts_message_idx').on(t.messageId, t.id)],
);

export const emitterState = sqliteTable('emitter_state', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export type OutboxMessage = typeof outboxMessages.$inferSelect;
export type DeliveryAttempt = typeof deliveryAttempts.$inferSelect;

/** Exact counters for /metrics (db/metric-counters.ts), in this database too. */
export { metricCounters } from '../metric-counters';

/** Operator sessions and failed sign-ins (db/operator-auth.ts), in this database too. */
export { loginFailures, operatorSessions } from '../operator-auth';
