/**
 * Every job of the receiver's sweep, in order: the notifications (escalations and the digest put
 * in line, then whatever is due sent), retention of old event data, then sign-in housekeeping.
 * The host calls it (POST /__internal/sweep) every second, and again at once while a job reports
 * `more`. A new periodic job of the receiver is one more step here.
 */
import { sweepSignInState } from '../../operator-area';
import { withDatabase } from '../../platform/database-errors';
import { drainNotifications, queueDigest, queueEscalations, type NotifyDeps, type SweepSummary } from '../notify-outbox';
import { applyRetention } from './retention';

export interface ReceiverSweepSummary {
  /** The notification outbox's pass, with the reminders and the digest it put in line. */
  notifications: SweepSummary & { escalated: number; digest: boolean };
  /** Events whose raw data retention emptied in this pass. */
  purged: number;
  /** True when a job left work it could do at once: the host calls again without waiting. */
  more: boolean;
  /** Expired sessions and old sign-in attempts removed, when that pass was due. */
  sign_in?: { sessions: number; failures: number };
}

/** Retention runs at most once a minute per isolate: the sweep comes every second for the notifications. */
const RETENTION_EVERY_MS = 60_000;
let retentionAt = Number.NEGATIVE_INFINITY;

export async function runSweepJobs(deps: NotifyDeps, budgetMs = 5000): Promise<ReceiverSweepSummary> {
  const escalated = await withDatabase(() => queueEscalations(deps));
  const digest = await withDatabase(() => queueDigest(deps));
  const sent = await withDatabase(() => drainNotifications(deps, budgetMs));
  const now = deps.now();
  let retention = { purged: 0, more: false };
  if (now - retentionAt >= RETENTION_EVERY_MS || now < retentionAt) {
    retention = await withDatabase(() => applyRetention(deps.db, deps.config, now));
    // A pass that left more runs again at the next sweep.
    retentionAt = retention.more ? Number.NEGATIVE_INFINITY : now;
  }
  const summary: ReceiverSweepSummary = { notifications: { ...sent, escalated, digest }, purged: retention.purged, more: retention.more || sent.more };
  const signIn = await withDatabase(() => sweepSignInState(deps.db, deps.config, now));
  if (signIn) summary.sign_in = signIn;
  return summary;
}

/** Whether a sweep did anything worth a log line. */
export function sweepDidWork(summary: ReceiverSweepSummary): boolean {
  const n = summary.notifications;
  return (
    summary.purged > 0 ||
    n.delivered + n.retrying + n.dead + n.removed + n.escalated > 0 ||
    n.digest ||
    (summary.sign_in !== undefined && summary.sign_in.sessions + summary.sign_in.failures > 0)
  );
}
