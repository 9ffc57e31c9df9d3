/**
 * Every job of the emitter's sweep, in order: the outbox (deliveries due, probes, retention),
 * reconciliation with the receiver when it is due, and sign-in housekeeping. The host's route
 * (POST /__internal/sweep, every second) and the Cloudflare cron both run exactly this.
 */
import { withDatabase } from '../../platform/database-errors';
import { sweepSignInState } from '../../operator-area';
import type { DeliveryDeps } from '../ops-outbox';
import { drainOutbox, reconcileIfDue, type ReconcileSummary, type SweepSummary } from '../ops-outbox';

export interface SweepJobsSummary extends SweepSummary {
  /** The reconciliation pass, when one was due. */
  reconciliation?: ReconcileSummary;
  /** Expired sessions and old sign-in attempts removed, when that pass was due. */
  sign_in?: { sessions: number; failures: number };
}

export async function runSweepJobs(deps: DeliveryDeps, budgetMs?: number): Promise<SweepJobsSummary> {
  const summary: SweepJobsSummary = await drainOutbox(deps, budgetMs);
  const reconciliation = await withDatabase(() => reconcileIfDue(deps));
  if (reconciliation) summary.reconciliation = reconciliation;
  const signIn = await withDatabase(() => sweepSignInState(deps.db, deps.config, deps.now()));
  if (signIn) summary.sign_in = signIn;
  return summary;
}

/** Whether a sweep did anything worth a log line. */
export function sweepDidWork(summary: SweepJobsSummary): boolean {
  const signIn = summary.sign_in ? summary.sign_in.sessions + summary.sign_in.failures : 0;
  return summary.delivered + summary.retrying + summary.dead + summary.removed + signIn > 0 || summary.reconciliation !== undefined;
}
