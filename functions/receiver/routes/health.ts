/** GET /healthz: 200 when a database round trip succeeds, else 503. No authentication, no secrets. */
import { Hono } from 'hono';
import { openDatabase, pingDatabase } from '../../../db/connection';
import { errorResponse } from '../../shared/http-errors';
import type { ReceiverApp } from '../types';

export const health = new Hono<ReceiverApp>();

health.get('/', async function healthCheck(c) {
  const started = Date.now();
  try {
    await pingDatabase(openDatabase(c.env));
  } catch (err) {
    c.var.logger.warn('health check failed', { error: (err as Error).message });
    return errorResponse(503, 'database_unavailable', 'database round trip failed');
  }
  return c.json({ status: 'ok', database: 'ok', database_ms: Date.now() - started });
});
