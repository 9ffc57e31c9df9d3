/**
 * Every job of the receiver's sweep, in order: retention of old event data, then sign-in
 * housekeeping. The host calls it (POST /__internal/sweep) on its interval, and again at once
 * while a job reports `more`. A new periodic job of the receiver is one more step here.
 */
import type { Services } from '../../platform/services';
import { withDatabase } from '../../platform/database-errors';
import { sweepSignInState } from '../../operator-area';
import type { ReceiverConfig } from '../config';
import { applyRetention } from './retention';

export interface ReceiverSweepSummary {
  /** Events whose raw data retention emptied in this pass. */
  purged: number;
  /** True when a job left work it could do at once: the host calls again without waiting. */
  more: boolean;
  /** Expired sessions and old sign-in attempts removed, when that pass was due. */
  sign_in?: { sessions: number; failures: number };
}

export async function runSweepJobs(services: Services, config: ReceiverConfig): Promise<ReceiverSweepSummary> {
  const summary: ReceiverSweepSummary = await withDatabase(() => applyRetention(services.db, config, services.now()));
  const signIn = await withDatabase(() => sweepSignInState(services.db, config, services.now()));
  if (signIn) summary.sign_in = signIn;
  return summary;
}

/** Whether a sweep did anything worth a log line. */
export function sweepDidWork(summary: ReceiverSweepSummary): boolean {
  return summary.purged > 0 || (summary.sign_in !== undefined && summary.sign_in.sessions + summary.sign_in.failures > 0);
}
