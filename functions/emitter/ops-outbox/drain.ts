/**
 * Draining the emitter's outbox to Ops, one pass of its sweep: the engine's (functions/platform/outbox/engine.ts) over its
 * deliveries to Ops. It delivers every due message with bounded concurrency, and while a backlog
 * waits on its slow schedule, probes Ops with the oldest message at most every
 * PROBE_INTERVAL_MS so that a recovered Ops gets the backlog at once, not hours later.
 */
import { deliverIfFirstInLine as deliverFirst, sweepOutbox, type SweepSummary } from '../../platform/outbox/engine';
import { opsChannel, type DeliveryDeps } from './deliver';

export type { SweepSummary } from '../../platform/outbox/engine';

/** Runs for at most `budgetMs` (plus the attempts in flight at that moment). */
export function drainOutbox(deps: DeliveryDeps, budgetMs = 5000): Promise<SweepSummary> {
  return sweepOutbox(opsChannel(deps), deps, budgetMs);
}

/** Delivers one requeued message now if it is first in line for its session (a manual redeliver). */
export function deliverIfFirstInLine(deps: DeliveryDeps, id: string): Promise<void> {
  return deliverFirst(opsChannel(deps), deps, id);
}
