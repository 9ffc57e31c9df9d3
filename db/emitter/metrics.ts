/** What the emitter's /metrics reads, in one round trip: stored counters, the backlog, and whether Ops answers. */
import type { Db } from '../connection';
import { metricCounters } from '../metric-counters';
import { backlogOf, backlogQuery, opsReachableOf, opsReachableQuery } from './backlog';

export async function metricsSnapshot(db: Db, now: number) {
  const [counters, backlog, reachable] = await db.batch([db.select().from(metricCounters), backlogQuery(db, now), opsReachableQuery(db)]);
  return { counters, backlog: backlogOf(backlog), opsReachable: opsReachableOf(reachable) };
}
