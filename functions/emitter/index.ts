/**
 * Emitter function (VM112): accepts onboarding events from the portal in milliseconds, keeps
 * them in a durable outbox and delivers them signed to Ops with retries. Served by workerd
 * through `npm run serve -- emitter`; the host drives its sweep, Cloudflare its cron.
 */
import { Hono } from 'hono';
import { requireAllowedHost } from '../shared/allowed-hosts';
import { loadConfig } from '../shared/config';
import { errorHandler, notFoundHandler } from '../shared/http-errors';
import { declaredPaths, servedByListener } from '../shared/listeners';
import { createLogger } from '../shared/logger';
import { measureRequests } from '../shared/metrics/request-durations';
import { mountApi } from '../shared/openapi/mount-api';
import { requestContext } from '../shared/request-context';
import { EMITTER_CONFIG, type EmitterBindings } from './config';
import { consoleArea } from './console/routes';
import { deliveries } from './deliveries/routes';
import { cronDeliveryDeps } from './delivery/deps';
import { onboardingWebhook } from './delivery/onboarding-webhook';
import { sweepRoutes } from './delivery/routes';
import { runSweepJobs, type SweepJobsSummary } from './delivery/sweep-jobs';
import { events } from './events/routes';
import { health } from './health/routes';
import { metrics } from './metrics/routes';
import type { EmitterApp } from './types';

const app = new Hono<EmitterApp>();

app.use(requestContext(EMITTER_CONFIG, 'emitter'));
app.use(requireAllowedHost<EmitterApp>());
/** What machines call (the portal, Prometheus): each feature's routes, declared with their schemas and document. */
const API = [health, metrics, events, deliveries, onboardingWebhook];

// With OPERATOR_PORT, each listener serves only its own paths (shared/listeners.ts).
app.use(servedByListener({ machine: declaredPaths(API), operator: ['/console'] }));
app.use(measureRequests);
app.onError(errorHandler((c) => c.var.logger ?? createLogger()));
app.notFound(notFoundHandler);

/** The API, with /openapi.json and /docs generated from its declarations. */
export const emitterDocument = mountApi(
  app,
  {
    title: 'ops-webhook emitter (portal, VM112)',
    description:
      "The portal's side of the link: accepts onboarding events in milliseconds, keeps them in a durable outbox, and delivers them signed to Ops.",
    servers: [{ url: 'http://127.0.0.1:8787', description: 'On VM112 (loopback)' }],
  },
  API,
);
app.route('/console', consoleArea);
app.route('/__internal', sweepRoutes);

export default {
  fetch: app.fetch,
  /**
   * Cloudflare cron (wrangler.toml): every job of the sweep the host triggers every second, awaited
   * here (work left to waitUntil may be dropped when the invocation ends).
   */
  async scheduled(_controller: unknown, env: EmitterBindings): Promise<SweepJobsSummary> {
    const config = loadConfig(EMITTER_CONFIG, env as Record<string, unknown>);
    const logger = createLogger(config.LOG_LEVEL, { service: 'emitter', trigger: 'cron' });
    const summary = await runSweepJobs(cronDeliveryDeps(env, config, logger), 25_000);
    logger.info('sweep', { ...summary });
    return summary;
  },
};
