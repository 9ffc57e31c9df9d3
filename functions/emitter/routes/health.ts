/** GET /healthz: database round trip plus the backlog (size, due now, dead, oldest pending age). */
import { Hono } from 'hono';
import { openDatabase } from '../../../db/connection';
import { backlogStats } from '../../../db/emitter/queries';
import { errorResponse } from '../../shared/http-errors';
import type { EmitterApp } from '../types';

export const health = new Hono<EmitterApp>();

health.get('/', async function healthCheck(c) {
  const now = Date.now();
  try {
    const stats = await backlogStats(openDatabase(c.env), now);
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
    });
  } catch (err) {
    c.var.logger.warn('health check failed', { error: (err as Error).message });
    return errorResponse(503, 'database_unavailable', 'database round trip failed');
  }
});
