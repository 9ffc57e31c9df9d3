/**
 * Receiver function (VM122): authenticated, idempotent intake of onboarding events that records
 * them and opens desk tickets. Served by workerd through `npm run serve -- receiver`.
 */
import { Hono } from 'hono';
import { requireAllowedHost } from '../shared/allowed-hosts';
import { errorHandler, notFoundHandler } from '../shared/http-errors';
import { declaredPaths, servedByListener } from '../shared/listeners';
import { createLogger } from '../shared/logger';
import { measureRequests } from '../shared/metrics/request-durations';
import { mountApi } from '../shared/openapi/mount-api';
import { requestContext } from '../shared/request-context';
import { RECEIVER_CONFIG } from './config';
import { desk } from './desk/routes';
import { health } from './health/routes';
import { intake } from './intake/routes';
import { metrics } from './metrics/routes';
import { receipts } from './receipts/routes';
import { sweep } from './sweep/routes';
import { tickets } from './tickets/routes';
import type { ReceiverApp } from './types';

const app = new Hono<ReceiverApp>();

app.use(requestContext(RECEIVER_CONFIG, 'receiver'));
app.use(requireAllowedHost<ReceiverApp>());
/** What machines call: each feature's routes, declared with their schemas and document. */
const API = [health, metrics, intake, receipts, tickets];

// With OPERATOR_PORT, each listener serves only its own paths (shared/listeners.ts).
app.use(servedByListener({ machine: declaredPaths(API), operator: ['/desk'] }));
app.use(measureRequests);
app.onError(errorHandler((c) => c.var.logger ?? createLogger()));
app.notFound(notFoundHandler);

/** The API, with /openapi.json and /docs generated from its declarations. */
export const receiverDocument = mountApi(
  app,
  {
    title: 'ops-webhook receiver (Ops, VM122)',
    description: 'Authenticated, idempotent intake of onboarding events from the portal; each one recorded once and put on the Ops desk.',
    servers: [{ url: 'http://10.10.10.122:8080', description: 'Production (LAN)' }],
  },
  API,
);
app.route('/desk', desk);
app.route('/__internal', sweep);

export default app;
