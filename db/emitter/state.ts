/** The emitter's shared state (emitter_state): every key it holds, and reading and writing one. */
import type { Db } from '../connection';
import { readState, writeState } from '../outbox/upkeep';

/** '1' while Ops answers, '0' after a delivery failed to reach it. */
export const OPS_REACHABLE = 'ops_reachable';
/**
 * '' while the receiver accepts this emitter's timestamps; JSON `{ at, skew_s }` after it refused
 * one as outside its window (the two clocks differ by more than it allows).
 */
export const CLOCK_SKEW = 'clock_skew';
/** When the last recovery probe was sent (ms). */
export const LAST_PROBE_AT = 'last_probe_at';
/** When the last reconciliation pass started (its claim, so one pass runs at a time). */
export const RECONCILE_STARTED_AT = 'reconcile_started_at';
/** What the last reconciliation pass found (JSON). */
export const RECONCILE_LAST = 'reconcile_last';
/** When a reconciliation pass last succeeded (ms). */
export const RECONCILE_LAST_SUCCESS_AT = 'reconcile_last_success_at';

/** The table that holds them (the outbox engine's state table for the emitter's outbox too). */
const STATE_TABLE = 'emitter_state';

/** Reads a value of the emitter's shared state. */
export function getState(db: Db, key: string): Promise<string | undefined> {
  return readState(db, STATE_TABLE, key);
}

/** Writes a value of the emitter's shared state. */
export function setState(db: Db, key: string, value: string): Promise<void> {
  return writeState(db, STATE_TABLE, key, value);
}

/** The clock skew the receiver last reported (it refused a timestamp as outside its window), or null while it takes them. */
export async function readClockSkew(db: Db): Promise<{ at: string; skew_s: number | null } | null> {
  const value = await getState(db, CLOCK_SKEW);
  return value ? (JSON.parse(value) as { at: string; skew_s: number | null }) : null;
}
