/**
 * The sweeps' share of sign-in housekeeping: sessions past their idle or absolute limit and
 * attempt rows older than the throttle window are deleted even if nobody presents them again.
 * Both functions' sweeps call it; it works at most once a minute per isolate.
 */
import type { Db } from '../../db/connection';
import { purgeSignInState } from '../../db/operator-auth';
import { ATTEMPT_WINDOW_MS } from './sign-in-throttle';

const SIGN_IN_SWEEP_EVERY_MS = 60_000;
let lastSweptAt = Number.NEGATIVE_INFINITY;

/** What went, or undefined when the last pass was under a minute ago. */
export async function sweepSignInState(
  db: Db,
  config: { OPERATOR_SESSION_IDLE: number; OPERATOR_SESSION_MAX: number },
  now: number,
): Promise<{ sessions: number; failures: number } | undefined> {
  if (now - lastSweptAt < SIGN_IN_SWEEP_EVERY_MS) return undefined;
  lastSweptAt = now;
  return purgeSignInState(db, now, { idleMs: config.OPERATOR_SESSION_IDLE, maxMs: config.OPERATOR_SESSION_MAX }, now - ATTEMPT_WINDOW_MS);
}
