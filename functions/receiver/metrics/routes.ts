/**
 * GET /metrics: Prometheus exposition of the receiver. Deliveries and rejections are exact
 * counters from the database (right across restarts and processes); tickets are counted at
 * scrape time; request durations are this process's own.
 */
import { readStorageHealth } from '../../../db/connection';
import { metricsSnapshot } from '../../../db/receiver/metrics';
import { NOTIFICATION_STATUSES, NOTIFY_CHANNELS, TICKET_PRIORITIES, TICKET_STATUSES } from '../../../db/receiver/schema';
import { withDatabase } from '../../platform/database-errors';
import { backupFamilies } from '../../platform/metrics/backup';
import { labelPairs } from '../../platform/metrics/exposition';
import { requestDurationFamily } from '../../platform/metrics/request-durations';
import { metricsRoutes, storedCounter } from '../../platform/metrics/scrape';
import { SIGN_IN_THROTTLED_HELP, SIGN_IN_THROTTLED_METRIC } from '../../operator-area';
import { flushRejections, REJECTIONS_METRIC } from '../intake';
import { RECEIPTS_METRIC } from '../receipts';
import type { ReceiverApp } from '../types';

export const metrics = metricsRoutes<ReceiverApp>('receiver', async (c) => {
  const db = c.var.services.db;
  // This process's pending refusals go in first, so its own scrape is exact; if the database is down, they wait.
  await flushRejections(db).catch(() => undefined);
  const { counters, ticketCounts, notificationCounts } = await withDatabase(() => metricsSnapshot(db));
  const notificationsBy = (status: string, channel: string) => notificationCounts.find((n) => n.status === status && n.channel === channel)?.n ?? 0;
  const ticketsBy = (status: string, priority: string) => ticketCounts.find((t) => t.status === status && t.priority === priority)?.n ?? 0;
  return [
    storedCounter(counters, 'ops_webhook_receiver_deliveries_total', 'Accepted deliveries by event type; outcome is created (first time) or duplicate.'),
    storedCounter(counters, REJECTIONS_METRIC, 'Refused deliveries, by the error code of the answer (unauthorized, validation_failed, …).'),
    storedCounter(counters, SIGN_IN_THROTTLED_METRIC, SIGN_IN_THROTTLED_HELP),
    storedCounter(counters, RECEIPTS_METRIC, "Events the emitter's reconciliation asked about, by result: present (on record) or missing."),
    {
      name: 'ops_webhook_receiver_tickets',
      help: 'Desk tickets by status and priority, now.',
      type: 'gauge',
      samples: TICKET_STATUSES.flatMap((status) =>
        TICKET_PRIORITIES.map((priority) => ({ name: 'ops_webhook_receiver_tickets', labels: labelPairs({ status, priority }), value: ticketsBy(status, priority) })),
      ),
    },
    {
      name: 'ops_webhook_receiver_notifications',
      help: 'Notifications (mail, chat) by status and channel, now: pending (being sent or retried), delivered, dead (given up: nobody was told that way).',
      type: 'gauge',
      samples: NOTIFICATION_STATUSES.flatMap((status) =>
        NOTIFY_CHANNELS.map((channel) => ({ name: 'ops_webhook_receiver_notifications', labels: labelPairs({ status, channel }), value: notificationsBy(status, channel) })),
      ),
    },
    requestDurationFamily('ops_webhook_receiver_request_duration_seconds'),
    ...backupFamilies(await readStorageHealth(c.env).catch(() => undefined)),
  ];
});
