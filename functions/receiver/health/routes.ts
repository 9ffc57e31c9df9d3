/**
 * GET /healthz: 200 when a database round trip succeeds and the storage under it can take writes,
 * else 503 (with what failed). No authentication, no secrets.
 */
import { z } from 'zod';
import { pingDatabase } from '../../../db/connection';
import { ApiRoutes } from '../../platform/openapi/api-routes';
import { checkHealth, healthzRoute, STORAGE_REPORT } from '../../platform/storage-health';
import type { ReceiverApp } from '../types';

export const RECEIVER_HEALTH = z.object({
  status: z.literal('ok'),
  database: z.literal('ok'),
  database_ms: z.number(),
  storage: STORAGE_REPORT,
});

export const health = new ApiRoutes<ReceiverApp>().route(
  healthzRoute<ReceiverApp>('Health: a database round trip and the storage under it', RECEIVER_HEALTH),
  async function healthCheck(c) {
    const { read: databaseMs, storage } = await checkHealth(c.env, c.var.logger, async () => {
      // A duration: a monotonic reading, not the services' clock.
      const started = performance.now();
      await pingDatabase(c.var.services.db);
      return Math.round(performance.now() - started);
    });
    return c.json({ status: 'ok', database: 'ok', database_ms: databaseMs, storage } satisfies z.infer<typeof RECEIVER_HEALTH>);
  },
);
