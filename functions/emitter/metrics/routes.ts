/**
 * GET /metrics: Prometheus exposition of the emitter, computed from its database at scrape
 * time (exact however many processes serve it, and across restarts): accepted events, attempts
 * by result and the acceptance-to-delivery histogram from trigger-kept counters; the outbox by
 * status, the oldest pending message's age and whether Ops answers, read now.
 */
import { readStorageHealth } from '../../../db/connection';
import { metricsSnapshot } from '../../../db/emitter/metrics';
import { DELIVERY_STATUSES } from '../../../db/emitter/schema';
import { withDatabase } from '../../platform/database-errors';
import { backupFamilies } from '../../platform/metrics/backup';
import { labelPairs } from '../../platform/metrics/exposition';
import { requestDurationFamily } from '../../platform/metrics/request-durations';
import { metricsRoutes, storedCounter, storedHistogram } from '../../platform/metrics/scrape';
import { RECONCILED_METRIC } from '../../../db/emitter/reconcile';
import { SIGN_IN_THROTTLED_HELP, SIGN_IN_THROTTLED_METRIC } from '../../operator-area';
import { lastReconciliation } from '../ops-outbox';
import type { EmitterApp } from '../types';

/** Bucket bounds of ops_webhook_emitter_delivery_seconds; the trigger in db/emitter/migrations/0002 counts into the same ones. */
export const DELIVERY_SECONDS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400] as const;

export const metrics = metricsRoutes<EmitterApp>('emitter', async (c) => {
  const { db, now: clock } = c.var.services;
  const now = clock();
  const [snapshot, { lastSuccessAt: reconciledAt }] = await withDatabase(() => Promise.all([metricsSnapshot(db, now), lastReconciliation({ db })]));
  const { counters } = snapshot;
  return [
    storedCounter(counters, 'ops_webhook_emitter_accepted_total', 'Events accepted from the portal (202, first time), by event type.'),
    {
      name: 'ops_webhook_emitter_messages',
      help: 'Outbox messages by status, now.',
      type: 'gauge',
      samples: DELIVERY_STATUSES.map((status) => ({ name: 'ops_webhook_emitter_messages', labels: labelPairs({ status }), value: snapshot.backlog[status] })),
    },
    {
      name: 'ops_webhook_emitter_oldest_pending_age_seconds',
      help: 'Age of the oldest message waiting for delivery (0 when none waits).',
      type: 'gauge',
      samples: [
        {
          name: 'ops_webhook_emitter_oldest_pending_age_seconds',
          value: snapshot.backlog.oldestPendingAt === null ? 0 : Math.max(0, (now - snapshot.backlog.oldestPendingAt) / 1000),
        },
      ],
    },
    storedCounter(counters, 'ops_webhook_emitter_attempts_total', 'Delivery attempts by result: success, http_4xx, http_5xx, http_other, timeout, network_error.'),
    storedHistogram(counters, 'ops_webhook_emitter_delivery_seconds', DELIVERY_SECONDS_BUCKETS, 'Seconds from acceptance to the attempt that delivered.'),
    {
      name: 'ops_webhook_emitter_ops_reachable',
      help: '1 while Ops answers deliveries sanely, 0 after one could not reach it (timeout, network error, 429 or 5xx).',
      type: 'gauge',
      samples: [{ name: 'ops_webhook_emitter_ops_reachable', value: snapshot.opsReachable ? 1 : 0 }],
    },
    storedCounter(counters, SIGN_IN_THROTTLED_METRIC, SIGN_IN_THROTTLED_HELP),
    storedCounter(counters, RECONCILED_METRIC, "Delivered messages reconciliation asked the receiver about, by result: present (on record) or missing (sent again)."),
    ...(reconciledAt === undefined
      ? []
      : [
          {
            name: 'ops_webhook_emitter_last_reconciliation_timestamp_seconds',
            help: 'When a reconciliation with the receiver last succeeded (Unix seconds).',
            type: 'gauge' as const,
            samples: [{ name: 'ops_webhook_emitter_last_reconciliation_timestamp_seconds', value: reconciledAt / 1000 }],
          },
        ]),
    requestDurationFamily('ops_webhook_emitter_request_duration_seconds'),
    ...backupFamilies(await readStorageHealth(c.env).catch(() => undefined)),
  ];
});
