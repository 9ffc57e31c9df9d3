/**
 * The data side of reconciliation: the delivered messages to ask the receiver about, newest
 * first, a page at a time; and putting back in line the ones it has no record of, marked so that
 * the attempt that sends each again is recorded with trigger `reconcile`.
 */
import { and, desc, eq, gte, inArray, lt } from 'drizzle-orm';
import type { Db } from '../connection';
import { addToCounters } from '../metric-counters';
import { outboxMessages } from './schema';

export interface DeliveredKey {
  seq: number;
  id: string;
  event: string;
  sessionId: string;
  domain: string;
}

/** Up to `limit` messages delivered since `since`, below `beforeSeq` (the previous page's last), newest first. */
export async function deliveredPage(db: Db, since: number, limit: number, beforeSeq?: number): Promise<DeliveredKey[]> {
  return db
    .select({ seq: outboxMessages.seq, id: outboxMessages.id, event: outboxMessages.eventType, sessionId: outboxMessages.sessionId, domain: outboxMessages.domain })
    .from(outboxMessages)
    .where(and(eq(outboxMessages.status, 'delivered'), gte(outboxMessages.deliveredAt, since), beforeSeq === undefined ? undefined : lt(outboxMessages.seq, beforeSeq)))
    .orderBy(desc(outboxMessages.seq))
    .limit(limit);
}

export const RECONCILED_METRIC = 'ops_webhook_emitter_reconciled_total';

/**
 * Adds the checked counts to the metric; then `missing` (if still delivered) go back to pending,
 * due now, marked `reconcile`. Answers how many were requeued.
 */
export async function requeueMissing(db: Db, missing: string[], checked: number, now: number): Promise<number> {
  await addToCounters(db, [
    { name: RECONCILED_METRIC, labels: 'result="present"', value: checked - missing.length },
    { name: RECONCILED_METRIC, labels: 'result="missing"', value: missing.length },
  ]);
  if (missing.length === 0) return 0;
  const updated = await db
    .update(outboxMessages)
    .set({ status: 'pending', requeuedBy: 'reconcile', scheduleIndex: 0, nextAttemptAt: now, notBefore: null, deliveredAt: null, updatedAt: now })
    .where(and(inArray(outboxMessages.id, missing), eq(outboxMessages.status, 'delivered')));
  return updated.rowsAffected;
}
