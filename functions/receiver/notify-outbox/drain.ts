/** One pass over the notifications that are due: the engine's sweep over the notify channel. */
import { sweepOutbox, type SweepSummary } from '../../platform/outbox/engine';
import { notifyChannel, type NotifyDeps } from './notify-channel';

export type { SweepSummary } from '../../platform/outbox/engine';

/** Sends what is due, for at most `budgetMs` (plus the sends in flight then). */
export function drainNotifications(deps: NotifyDeps, budgetMs = 5000): Promise<SweepSummary> {
  return sweepOutbox(notifyChannel(deps), deps, budgetMs);
}
