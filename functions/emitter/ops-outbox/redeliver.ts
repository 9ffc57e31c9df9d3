/**
 * Redelivery as people ask for it, from the API or the console: one message (sent at once if it
 * is first in line for its session, else when its turn comes) or every message of a status since
 * a time. A manual redeliver always sends, even a delivered message (the receiver answers it as a
 * duplicate).
 */
import { requeueMessages } from '../../../db/emitter/deliveries';
import type { DeliveryStatus } from '../../../db/emitter/schema';
import { withDatabase } from '../../platform/database-errors';
import type { DeliveryDeps } from './deliver';
import { deliverIfFirstInLine } from './drain';

/** Requeues message `id` and starts its delivery in the background (`keep` holds it past the answer); false when there is no such message. */
export async function redeliverOne(deps: DeliveryDeps, id: string, keep: (work: Promise<unknown>) => void): Promise<boolean> {
  const count = await withDatabase(() => requeueMessages(deps.db, { id }, deps.now()));
  if (count === 0) return false;
  keep(deliverIfFirstInLine(deps, id).catch((err: Error) => deps.logger.warn('manual redelivery failed; the sweep will retry', { message_id: id, error: err.message })));
  return true;
}

/** Requeues every message of `status` accepted since `since` (all when undefined); the sweep sends them. Answers how many. */
export function redeliverMany(deps: DeliveryDeps, status: DeliveryStatus, since?: number): Promise<number> {
  return withDatabase(() => requeueMessages(deps.db, { statuses: [status], since }, deps.now()));
}
