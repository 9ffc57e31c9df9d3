/**
 * Emitter (VM112) tables: the durable outbox of accepted events, one row per delivery attempt,
 * and a little shared state (whether Ops answered last time, when the last probe ran).
 * Times are Unix milliseconds.
 */
import { index, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { attemptColumns, messageKeyColumns, messageStateColumns } from '../outbox/outbox-columns';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'dead', 'skipped'] as const;
/** What started an attempt: right after the 202, the sweep, a recovery probe, a person, or reconciliation (the receiver had no record of it). */
export const DELIVERY_TRIGGERS = ['accept', 'sweep', 'probe', 'manual', 'reconcile'] as const;
export type DeliveryTrigger = (typeof DELIVERY_TRIGGERS)[number];
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const outboxMessages = sqliteTable(
  'outbox_messages',
  {
    ...messageKeyColumns(),
    eventType: text('event_type').notNull(),
    sessionId: text('session_id').notNull(),
    domain: text('domain').notNull(),
    /** The exact JSON body sent to Ops, frozen at acceptance. */
    payload: text('payload').notNull(),
    ...messageStateColumns(DELIVERY_STATUSES),
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
  attemptColumns(DELIVERY_TRIGGERS),
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
