/** The emitter's shared state (emitter_state): every key it holds, and reading and writing one. */
import { eq } from 'drizzle-orm';
import type { Db } from '../connection';
import { emitterState } from './schema';

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

/** Reads a value of the emitter's shared state. */
export async function getState(db: Db, key: string): Promise<string | undefined> {
  const rows = await db.select().from(emitterState).where(eq(emitterState.key, key));
  return rows[0]?.value;
}

/** Writes a value of the emitter's shared state. */
export async function setState(db: Db, key: string, value: string): Promise<void> {
  await db.insert(emitterState).values({ key, value }).onConflictDoUpdate({ target: emitterState.key, set: { value } });
}

/** The clock skew the receiver last reported (it refused a timestamp as outside its window), or null while it takes them. */
export async function readClockSkew(db: Db): Promise<{ at: string; skew_s: number | null } | null> {
  const value = await getState(db, CLOCK_SKEW);
  return value ? (JSON.parse(value) as { at: string; skew_s: number | null }) : null;
}
