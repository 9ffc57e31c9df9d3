/**
 * A durable outbox as the engine (functions/platform/outbox/) sees it: a messages table, an
 * attempts table and a key-value state table, named by the function that owns them, with the
 * columns every outbox has (see the emitter's schema for the reference set). `inOrderOf` names
 * the columns whose messages must go in acceptance order (the emitter's session and domain);
 * empty, messages go independently.
 */
export interface OutboxTables {
  messages: string;
  attempts: string;
  state: string;
  inOrderOf: readonly string[];
  /** The state keys of this outbox: whether its peer answered last time, and when it was last probed. */
  keys: { reachable: string; lastProbeAt: string };
}

/** What a message row holds for the engine, whatever else its outbox adds. */
export interface OutboxRow {
  seq: number;
  id: string;
  status: string;
  attempts: number;
  scheduleIndex: number;
  nextAttemptAt: number;
  notBefore: number | null;
  leaseUntil: number | null;
  requeuedBy?: string | null;
}

/** Statuses every outbox shares: pending until delivered or dead. */
export type OutboxStatus = 'pending' | 'delivered' | 'dead';
