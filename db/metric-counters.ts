/**
 * Counters that must be exact across restarts and across processes: kept in the function's own
 * database, raised by SQLite triggers (see the migrations) or in the same batch as the work they
 * count, and read whole at scrape time. One row per metric and label set.
 */
import { primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { Db } from './connection';

export const metricCounters = sqliteTable(
  'metric_counters',
  {
    /** Sample name as exposed, e.g. `ops_webhook_emitter_attempts_total` or `…_bucket`. */
    name: text('name').notNull(),
    /** Label pairs as exposed, e.g. `result="success"` (empty for none). */
    labels: text('labels').notNull().default(''),
    /** A count, or a histogram's `_sum` (hence real). */
    value: real('value').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.name, t.labels] })],
);

export interface CounterSample {
  name: string;
  labels: string;
  value: number;
}

/** Adds each sample's `value` to its counter (created at 0 if new), in one atomic batch. */
export async function addToCounters(db: Db, increments: CounterSample[]): Promise<void> {
  if (increments.length === 0) return;
  await db.$client.batch(
    increments.map(({ name, labels, value }) => ({ sql: ADD_TO_COUNTER, args: { name, labels, value } })),
    'write',
  );
}

/** Upsert of one counter (the migrations' triggers write the same upsert in their own SQL). */
export const ADD_TO_COUNTER = `INSERT INTO metric_counters (name, labels, value) VALUES (:name, :labels, :value)
  ON CONFLICT (name, labels) DO UPDATE SET value = value + excluded.value`;
