/**
 * GET /healthz: database round trip plus the backlog (size, due now, dead, oldest pending age)
 * and the last reconciliation with the receiver, and 503 when the storage under the database
 * cannot take writes.
 */
import { z } from 'zod';
import { readBacklog } from '../../../db/emitter/backlog';
import { readClockSkew } from '../../../db/emitter/state';
import { ApiRoutes } from '../../platform/openapi/api-routes';
import { checkHealth, healthzRoute, STORAGE_REPORT } from '../../platform/storage-health';
import { lastReconciliation } from '../ops-outbox';
import type { EmitterApp } from '../types';

export const EMITTER_HEALTH = z.object({
  status: z.literal('ok'),
  database: z.literal('ok'),
  delivery_enabled: z.boolean(),
  backlog: z.object({
    pending: z.number().int(),
    due: z.number().int(),
    dead: z.number().int(),
    oldest_pending_age_s: z.number().nullable(),
  }),
  reconciliation: z
    .object({
      last_at: z.string(),
      ok: z.boolean(),
      checked: z.number().int(),
      missing: z.number().int().describe('Delivered events the receiver had no record of'),
      requeued: z.number().int(),
      error: z.string().optional().describe('Why the last pass failed (nothing was changed)'),
    })
    .nullable()
    .describe('The last reconciliation with the receiver (null before the first, or with RECONCILE_INTERVAL=0)'),
  clock_skew: z
    .object({ at: z.string(), skew_s: z.number().nullable().describe("How far the receiver's clock is ahead of this one (negative: behind)") })
    .nullable()
    .describe("Set while the receiver refuses this emitter's timestamps as outside its window: the two clocks differ (null when it takes them)"),
  storage: STORAGE_REPORT,
});

export const health = new ApiRoutes<EmitterApp>().route(
  healthzRoute<EmitterApp>('Health: a database round trip, the backlog, the last reconciliation and the storage under it', EMITTER_HEALTH),
  async function healthCheck(c) {
    const now = c.var.services.now();
    const db = c.var.services.db;
    const {
      read: [backlog, { last }, clockSkew],
      storage,
    } = await checkHealth(c.env, c.var.logger, () => Promise.all([readBacklog(db, now), lastReconciliation({ db }), readClockSkew(db)]));
    const answer: z.infer<typeof EMITTER_HEALTH> = {
      status: 'ok',
      database: 'ok',
      delivery_enabled: c.var.config.OPS_WEBHOOK_ENABLED,
      backlog: {
        pending: backlog.pending,
        due: backlog.due,
        dead: backlog.dead,
        oldest_pending_age_s: backlog.oldestPendingAt === null ? null : Math.round((now - backlog.oldestPendingAt) / 1000),
      },
      reconciliation: last
        ? { last_at: last.at, ok: last.ok, checked: last.checked, missing: last.missing, requeued: last.requeued, ...(last.error ? { error: last.error } : {}) }
        : null,
      clock_skew: clockSkew,
      storage,
    };
    return c.json(answer);
  },
);
