/**
 * The receiver's retention: nothing is deleted by default (tickets are the desk's record). With
 * EVENT_RETENTION_DAYS, the raw data of events on closed tickets older than that is emptied in
 * small batches; each timeline entry keeps its type and times, and deduplication is unaffected
 * (the event rows and their keys stay).
 */
import type { Db } from '../../../db/connection';
import { purgeEventData } from '../../../db/receiver/retention';
import type { ReceiverConfig } from '../config';

const BATCH = 500;
const DAY_MS = 86_400_000;

/** Applies retention once; returns how many events lost their data, and whether more wait. */
export async function applyRetention(db: Db, config: ReceiverConfig, now: number): Promise<{ purged: number; more: boolean }> {
  if (config.EVENT_RETENTION_DAYS === undefined) return { purged: 0, more: false };
  const purged = await purgeEventData(db, now - config.EVENT_RETENTION_DAYS * DAY_MS, now, BATCH);
  return { purged, more: purged === BATCH };
}
