/**
 * GET /healthz: 200 when a database round trip succeeds and the storage under it can take writes,
 * else 503 (with what failed). No authentication, no secrets.
 */
import { Hono } from 'hono';
import { pingDatabase } from '../../../db/connection';
import { assertStorageWritable, databaseUnavailable, storageHealth } from '../../shared/storage-health';
import type { ReceiverApp } from '../types';

export const health = new Hono<ReceiverApp>();

health.get('/', async function healthCheck(c) {
  const started = Date.now();
  try {
    await pingDatabase(c.var.db);
  } catch (err) {
    c.var.logger.warn('health check failed', { error: (err as Error).message });
    return databaseUnavailable(c.env);
  }
  const databaseMs = Date.now() - started;
  const report = await storageHealth(c.env);
  assertStorageWritable(report);
  return c.json({ status: 'ok', database: 'ok', database_ms: databaseMs, storage: report.storage });
});
