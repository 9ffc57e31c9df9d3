/**
 * The outbox sweep: delivers every due message with bounded concurrency, and while a backlog
 * waits on its slow schedule, probes Ops with the oldest message at most every
 * PROBE_INTERVAL_MS so that a recovered Ops gets the backlog at once, not hours later.
 * Driven by the host every second (and by the cron trigger on Cloudflare).
 */
import { getState, LAST_PROBE_AT, OPS_REACHABLE, setState } from '../../../db/emitter/state';
import { readBacklog } from '../../../db/emitter/backlog';
import { claimMessages } from '../../../db/emitter/claims';
import { removeFinishedMessages } from '../../../db/emitter/retention';
import { deliverMessage, leaseMs, type DeliveryDeps } from './deliver';

export interface SweepSummary {
  delivered: number;
  retrying: number;
  dead: number;
  probed: boolean;
  /** Delivered or skipped messages past RETENTION_DAYS deleted by this sweep. */
  removed: number;
  /** True when the time budget ran out with due messages left. */
  more: boolean;
}

/** Messages deleted by retention per sweep at most: small batches, so a sweep never holds the database long. */
const RETENTION_BATCH = 500;
const DAY_MS = 86_400_000;

/** Runs for at most `budgetMs` (plus the attempts in flight at that moment). */
export async function sweep(deps: DeliveryDeps, budgetMs = 5000): Promise<SweepSummary> {
  const { db, config } = deps;
  const started = deps.now();
  const summary: SweepSummary = { delivered: 0, retrying: 0, dead: 0, probed: false, removed: 0, more: false };
  const count = (outcome: 'delivered' | 'retry' | 'dead') => {
    if (outcome === 'delivered') summary.delivered += 1;
    else if (outcome === 'retry') summary.retrying += 1;
    else summary.dead += 1;
  };

  // Probe only while Ops is believed down and some of the backlog is waiting on its schedule:
  // a message that fails on its own while Ops answers others keeps its backoff.
  const stats = await readBacklog(db, started);
  if (stats.pending > stats.due && (await getState(db, OPS_REACHABLE)) === '0') {
    const last = Number((await getState(db, LAST_PROBE_AT)) ?? 0);
    if (started - last >= config.PROBE_INTERVAL_MS) {
      await setState(db, LAST_PROBE_AT, String(started));
      const [oldest] = await claimMessages(db, { kind: 'probe' }, started, leaseMs(config));
      if (oldest) {
        summary.probed = true;
        count(await deliverMessage(deps, oldest, 'probe'));
      }
    }
  }

  for (;;) {
    if (deps.now() - started >= budgetMs) {
      summary.more = (await readBacklog(db, deps.now())).due > 0;
      break;
    }
    const batch = await claimMessages(db, { kind: 'due', limit: config.DELIVERY_CONCURRENCY }, deps.now(), leaseMs(config));
    if (batch.length === 0) break;
    const outcomes = await Promise.all(batch.map((m) => deliverMessage(deps, m, 'sweep')));
    outcomes.forEach(count);
  }
  summary.removed = await removeFinishedMessages(db, deps.now() - config.RETENTION_DAYS * DAY_MS, RETENTION_BATCH);
  return summary;
}

/** Delivers one requeued message now if it is first in line for its session (a manual redeliver). */
export async function deliverIfFirstInLine(deps: DeliveryDeps, id: string): Promise<void> {
  const [message] = await claimMessages(deps.db, { kind: 'one', id }, deps.now(), leaseMs(deps.config));
  if (message) await deliverMessage(deps, message, 'manual');
}
