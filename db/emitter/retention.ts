/** Emitter retention: old finished messages go by themselves (the engine's sweep); dead ones only when an operator purges them. */
import type { Db } from '../connection';
import { purgeStatus } from '../outbox/upkeep';
import { EMITTER_OUTBOX } from './outbox';
import type { DeliveryStatus } from './schema';

/** Statuses retention removes once RETENTION_DAYS have passed: dead and pending messages are kept. */
export const FINISHED_STATUSES: readonly DeliveryStatus[] = ['delivered', 'skipped'];

/** Deletes every message of `status` accepted before `before`, with its attempts (an operator's purge); returns how many. */
export function purgeMessages(db: Db, status: Exclude<DeliveryStatus, 'pending'>, before: number): Promise<number> {
  return purgeStatus(db, EMITTER_OUTBOX, status, before);
}
