/**
 * Receiver function (VM122): authenticated, idempotent intake of onboarding events that records
 * them and opens desk tickets. Served by workerd through `npm run serve -- receiver`.
 */
import { functionApp } from '../platform/http/function-app';
import { RECEIVER_CONFIG } from './config';
import { desk } from './desk/routes';
import { health } from './health/routes';
import { intake } from './intake/routes';
import { metrics } from './metrics/routes';
import { receipts } from './receipts/routes';
import { sweep } from './sweep/routes';
import { tickets } from './tickets/routes';
import type { ReceiverApp } from './types';

const { app, document } = functionApp<ReceiverApp>({
  settings: RECEIVER_CONFIG,
  service: 'receiver',
  api: [health, metrics, intake, receipts, tickets],
  pages: '/desk',
  document: {
    title: 'ops-webhook receiver (Ops, VM122)',
    description: 'Authenticated, idempotent intake of onboarding events from the portal; each one recorded once and put on the Ops desk.',
    servers: [{ url: 'http://10.10.10.122:8080', description: 'Production (LAN)' }],
  },
});

/** The API's OpenAPI document, generated from its declarations. */
export const receiverDocument = document;

app.route('/desk', desk);
app.route('/__internal', sweep);

export default app;
