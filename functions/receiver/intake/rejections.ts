/**
 * Counts refused deliveries by error code for `ops_webhook_receiver_rejections_total`. A refusal
 * writes nothing else, so the count is kept in this process's memory first and added to the
 * database counter after the answer has left (one flush at a time, batching what accumulated),
 * which keeps the count exact across processes and restarts without making every 401 wait on a
 * write. A count the database cannot take yet (it is down: 503) stays pending for the next flush.
 */
import type { Db } from '../../../db/connection';
import { addToCounters } from '../../../db/metric-counters';

export const REJECTIONS_METRIC = 'ops_webhook_receiver_rejections_total';

const pending = new Map<string, number>();
let flushing: Promise<void> | undefined;

/** Adds one refusal with error code `code` to the pending counts. */
export function countRejection(code: string): void {
  pending.set(code, (pending.get(code) ?? 0) + 1);
}

/** Writes the pending counts in one batch; on failure they stay pending. */
export async function flushRejections(db: Db): Promise<void> {
  if (pending.size === 0) return;
  const taken = [...pending];
  pending.clear();
  try {
    await addToCounters(db, taken.map(([code, n]) => ({ name: REJECTIONS_METRIC, labels: `reason="${code}"`, value: n })));
  } catch (err) {
    for (const [code, n] of taken) pending.set(code, (pending.get(code) ?? 0) + n);
    throw err;
  }
}

/**
 * Starts a flush unless one is running (that one takes what is pending when it finishes); `keep`
 * keeps the request alive for it (the execution context's waitUntil).
 */
export function flushSoon(openDb: () => Db, keep: (work: Promise<unknown>) => void): void {
  if (flushing) return;
  flushing = (async () => {
    try {
      while (pending.size > 0) await flushRejections(openDb());
    } catch {
      // The database is unavailable: the counts wait for the next refusal or scrape.
    } finally {
      flushing = undefined;
    }
  })();
  keep(flushing);
}
