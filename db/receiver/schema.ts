/**
 * Receiver (VM122) tables: every accepted onboarding event and the desk tickets they open.
 *
 * Column names keep the ones the Ops desk already reads (`webhook_events.event_type`,
 * `.session_id`, `.domain`, `tickets.subject`). Times are Unix milliseconds (integers).
 */
import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { attemptColumns, messageKeyColumns, messageStateColumns } from '../outbox/outbox-columns';

/** A ticket's status and priority: the one statement of each list (column enums, zod, pages, metrics). */
export const TICKET_STATUSES = ['open', 'closed'] as const;
export const TICKET_PRIORITIES = ['normal', 'high'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

export const tickets = sqliteTable(
  'tickets',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    subject: text('subject').notNull(),
    priority: text('priority', { enum: TICKET_PRIORITIES }).notNull().default('normal'),
    status: text('status', { enum: TICKET_STATUSES }).notNull().default('open'),
    domain: text('domain').notNull(),
    sessionId: text('session_id').notNull(),
    /** The event that opened the ticket (one ticket per opening event). */
    openedByEventId: integer('opened_by_event_id').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    /** The operator who acknowledged (took) the ticket. */
    assignedTo: text('assigned_to'),
  },
  (t) => [
    uniqueIndex('tickets_opened_by_event_id_unique').on(t.openedByEventId),
    index('tickets_session_status_idx').on(t.sessionId, t.status),
    index('tickets_domain_idx').on(t.domain),
    index('tickets_status_id_idx').on(t.status, t.id),
  ],
);

export const webhookEvents = sqliteTable(
  'webhook_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    eventType: text('event_type').notNull(),
    sessionId: text('session_id').notNull(),
    domain: text('domain').notNull(),
    /** Standard Webhooks `webhook-id` of the first delivery, when the sender signed it. */
    webhookId: text('webhook_id'),
    /** Random id of the delivery that wrote the row; lets one batch tell "I inserted" from "it existed". */
    intakeId: text('intake_id').notNull(),
    occurredAt: integer('occurred_at'),
    receivedAt: integer('received_at').notNull(),
    /** The event's `data` object, as JSON text. */
    data: text('data').notNull().default(sql`'{}'`),
    ticketId: integer('ticket_id').references(() => tickets.id),
    /** Set when retention (EVENT_RETENTION_DAYS) emptied `data`; the entry's type and times stay. */
    dataPurgedAt: integer('data_purged_at'),
  },
  (t) => [
    // The idempotency key: at most one row per (event, session_id, domain). Session first, so the
    // same index also finds a session's events (timelines, adoption by a new ticket). Every index
    // here costs a page written per intake, so there is no separate session index, and the
    // intake's own row is found through this key plus intake_id rather than an index on intake_id.
    uniqueIndex('webhook_events_key_unique').on(t.sessionId, t.domain, t.eventType),
    uniqueIndex('webhook_events_webhook_id_unique').on(t.webhookId),
    index('webhook_events_ticket_idx').on(t.ticketId),
  ],
);

/** What operators did on a ticket, for its timeline. */
export const ticketActions = sqliteTable(
  'ticket_actions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id),
    action: text('action', { enum: ['acknowledge', 'note', 'close', 'reopen'] }).notNull(),
    operator: text('operator').notNull(),
    note: text('note'),
    at: integer('at').notNull(),
  },
  (t) => [index('ticket_actions_ticket_idx').on(t.ticketId, t.id)],
);

/** Where a notification goes: mail (SMTP submission through the host) or a chat webhook. */
export const NOTIFY_CHANNELS = ['email', 'chat'] as const;
export type NotifyChannel = (typeof NOTIFY_CHANNELS)[number];
/** A notification's state: the outbox engine's. */
export const NOTIFICATION_STATUSES = ['pending', 'delivered', 'dead'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];
/** What started a notification's attempt: right after the intake, or the sweep (and its recovery probe). */
export const NOTIFICATION_TRIGGERS = ['intake', 'sweep', 'probe'] as const;

/**
 * The receiver's outbox of notifications (the outbox engine's columns, as the emitter's
 * outbox_messages has them, plus what it tells whom). One row per ticket, reason and channel:
 * its id is the mail's Message-ID, the same on every attempt, so a resend after a crash between
 * the send and its record is the same message to the mail client.
 */
export const notifications = sqliteTable(
  'notifications',
  {
    /** Its id is `ticket-42.opened.email`, `ticket-42.escalation-1.chat`, `digest-2026-12-04.digest.email`. */
    ...messageKeyColumns(),
    /** The ticket it is about (none for a digest). */
    ticketId: integer('ticket_id').references(() => tickets.id),
    channel: text('channel', { enum: NOTIFY_CHANNELS }).notNull(),
    /** `opened`, `escalation-<n>`, `digest`. */
    reason: text('reason').notNull(),
    ...messageStateColumns(NOTIFICATION_STATUSES),
    /** The engine's column for a message put back in line on someone's account (unused here). */
    requeuedBy: text('requeued_by'),
  },
  (t) => [
    uniqueIndex('notifications_id_unique').on(t.id),
    index('notifications_due_idx').on(t.status, t.nextAttemptAt),
    index('notifications_ticket_idx').on(t.ticketId, t.seq),
    index('notifications_status_updated_idx').on(t.status, t.updatedAt),
  ],
);

export const notificationAttempts = sqliteTable(
  'notification_attempts',
  attemptColumns(NOTIFICATION_TRIGGERS),
  (t) => [index('notification_attempts_message_idx').on(t.messageId, t.id)],
);

/** The receiver's own state (the notification outbox's: whether the relay answered, the last probe). */
export const receiverState = sqliteTable('receiver_state', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export type Notification = typeof notifications.$inferSelect;
export type NotificationAttempt = typeof notificationAttempts.$inferSelect;

export type Ticket = typeof tickets.$inferSelect;
export type TicketAction = typeof ticketActions.$inferSelect;
export type WebhookEvent = typeof webhookEvents.$inferSelect;

/** Exact counters for /metrics (db/metric-counters.ts), in this database too. */
export { metricCounters } from '../metric-counters';

/** Operator sessions and failed sign-ins (db/operator-auth.ts), in this database too. */
export { loginFailures, operatorSessions } from '../operator-auth';
