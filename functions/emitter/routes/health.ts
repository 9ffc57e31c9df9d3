/**
 * GET /healthz: database round trip plus the backlog (size, due now, dead, oldest pending age),
 * and 503 when the storage under the database cannot take writes.
 */
import { Hono } from 'hono';
import { openDatabase } from '../../../db/connection';
import { backlogStats } from '../../../db/emitter/queries';
import { errorResponse } from '../../shared/http-errors';
import { storageHealth, unhealthyDatabase } from '../../shared/storage-health';
import type { EmitterApp } from '../types';

export const health = new Hono<EmitterApp>();

health.get('/', async function healthCheck(c) {
  const now = Date.now();
  try {
    const stats = await backlogStats(openDatabase(c.env), now);
    const { storage, problem } = await storageHealth(c.env);
    if (problem) return errorResponse(503, 'storage_unavailable', problem, { details: { storage } });
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
      storage,
    });
  } catch (err) {
    c.var.logger.warn('health check failed', { error: (err as Error).message });
    return unhealthyDatabase(c.env);
  }
});
