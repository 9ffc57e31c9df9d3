/**
 * The columns every outbox's tables have, written once: what the engine (db/outbox/claims.ts,
 * attempts.ts, upkeep.ts) reads and writes. An outbox's schema spreads them into its own tables
 * beside its own columns (the emitter's event and payload; the receiver's ticket and channel).
 */
import { integer, text } from 'drizzle-orm/sqlite-core';
import { ATTEMPT_OUTCOMES } from './attempts';

/** The message's identity and order: `seq` (the order claims follow) and `id` (the same on every attempt). */
export function messageKeyColumns() {
  return {
    /** Acceptance order; claims go oldest first (and per `inOrderOf`, in this order). */
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    /** The message's id, the same on every attempt (the emitter's `webhook-id`; a notification's Message-ID). */
    id: text('id').notNull(),
  };
}

/** The message's state in the engine, over the outbox's own list of statuses. */
export function messageStateColumns<S extends readonly [string, ...string[]]>(statuses: S) {
  return {
    status: text('status', { enum: statuses }).notNull(),
    /** Attempts made in all. */
    attempts: integer('attempts').notNull().default(0),
    /** Position in the retry schedule; a manual redeliver resets it. */
    scheduleIndex: integer('schedule_index').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    /** Set from the peer's Retry-After: neither a recovery probe nor a backlog drain sends before it. */
    notBefore: integer('not_before'),
    /** A sweep that claimed the message owns it until then (a crash mid-send just lets it expire). */
    leaseUntil: integer('lease_until'),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    deliveredAt: integer('delivered_at'),
  };
}

/** An attempts table's columns, over the outbox's own list of triggers. */
export function attemptColumns<T extends readonly [string, ...string[]]>(triggers: T) {
  return {
    id: integer('id').primaryKey({ autoIncrement: true }),
    messageId: text('message_id').notNull(),
    attemptNo: integer('attempt_no').notNull(),
    /** What started it. */
    trigger: text('trigger', { enum: triggers }).notNull(),
    startedAt: integer('started_at').notNull(),
    durationMs: integer('duration_ms').notNull(),
    statusCode: integer('status_code'),
    /** Network error or timeout, when no answer came; or what the answer meant. */
    error: text('error'),
    /** The first bytes of the answer. */
    responseBody: text('response_body'),
    /** delivered, retry or dead. */
    outcome: text('outcome', { enum: ATTEMPT_OUTCOMES }).notNull(),
    nextAttemptAt: integer('next_attempt_at'),
  };
}
