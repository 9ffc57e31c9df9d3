/**
 * Receiver function (VM122): authenticated, idempotent intake of onboarding events that records
 * them and opens desk tickets. Served by workerd through `npm run serve -- receiver`.
 */
import { Hono } from 'hono';
import { requireAllowedHost } from '../shared/allowed-hosts';
import { apiDocs } from '../shared/api-docs';
import { servedByListener } from '../shared/listeners';
import { errorHandler, notFoundHandler } from '../shared/http-errors';
import { createLogger } from '../shared/logger';
import { measureRequests } from '../shared/metrics/request-durations';
import { requestContext } from '../shared/request-context';
import { RECEIVER_CONFIG } from './config';
import { receiverDocument } from './openapi';
import { desk } from './desk/routes';
import { health } from './health/routes';
import { internal } from './sweep/routes';
import { metrics } from './metrics/routes';
import { receipts } from './receipts/routes';
import { ticketsRoute } from './tickets/routes';
import { webhooks } from './intake/routes';
import type { ReceiverApp } from './types';

const app = new Hono<ReceiverApp>();

app.use(requestContext(RECEIVER_CONFIG, 'receiver'));
app.use(requireAllowedHost<ReceiverApp>());
// With OPERATOR_PORT, each listener serves only its own paths (shared/listeners.ts).
app.use(servedByListener({ machine: ['/api/v1/webhooks', '/api/v1/tickets', '/healthz', '/metrics'], operator: ['/desk'] }));
app.use(measureRequests);
app.onError(errorHandler((c) => c.var.logger ?? createLogger()));
app.notFound(notFoundHandler);

app.route('/healthz', health);
app.route('/metrics', metrics);
app.route('/api/v1/webhooks/receipts', receipts);
app.route('/api/v1/webhooks', webhooks);
app.route('/api/v1/tickets', ticketsRoute);
app.route('/desk', desk);
app.route('/__internal', internal);
app.route('/', apiDocs(receiverDocument));

export default app;
