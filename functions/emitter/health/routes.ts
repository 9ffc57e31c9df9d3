/**
 * GET /healthz: database round trip plus the backlog (size, due now, dead, oldest pending age)
 * and the last reconciliation with the receiver, and 503 when the storage under the database
 * cannot take writes.
 */
import { Hono } from 'hono';
import { backlogStats } from '../../../db/emitter/queries';
import { assertStorageWritable, databaseUnavailable, storageHealth } from '../../shared/storage-health';
import { lastReconciliation } from '../delivery/reconcile';
import type { EmitterApp } from '../types';

export const health = new Hono<EmitterApp>();

health.get('/', async function healthCheck(c) {
  const now = Date.now();
  const db = c.var.db;
  let stats: Awaited<ReturnType<typeof backlogStats>>;
  let last: Awaited<ReturnType<typeof lastReconciliation>>['last'];
  try {
    [stats, { last }] = await Promise.all([backlogStats(db, now), lastReconciliation({ db })]);
  } catch (err) {
    c.var.logger.warn('health check failed', { error: (err as Error).message });
    return databaseUnavailable(c.env);
  }
  const report = await storageHealth(c.env);
  assertStorageWritable(report);
  return c.json({
    status: 'ok',
    database: 'ok',
    delivery_enabled: c.var.config.OPS_WEBHOOK_ENABLED,
    backlog: {
      pending: stats.pending,
      due: stats.due,
      dead: stats.dead,
      oldest_pending_age_s: stats.oldestCreatedAt === null ? null : Math.round((now - stats.oldestCreatedAt) / 1000),
    },
    reconciliation: last
      ? { last_at: last.at, ok: last.ok, checked: last.checked, missing: last.missing, requeued: last.requeued, ...(last.error ? { error: last.error } : {}) }
      : null,
    storage: report.storage,
  });
});
