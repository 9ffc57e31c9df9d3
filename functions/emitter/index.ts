/**
 * Emitter function (VM112): accepts onboarding events from the portal in milliseconds, keeps
 * them in a durable outbox and delivers them signed to Ops with retries. Served by workerd
 * through `npm run serve -- emitter`; the host drives its sweep, Cloudflare its cron.
 */
import { functionApp } from '../platform/http/function-app';
import { loadConfig } from '../platform/settings/config';
import { createLogger } from '../platform/logger';
import { EMITTER_CONFIG, type EmitterBindings } from './config';
import { consoleArea } from './console/routes';
import { deliveries } from './deliveries/routes';
import { cronDeliveryDeps, onboardingWebhook } from './ops-outbox';
import { sweep } from './sweep/routes';
import { runSweepJobs, type SweepJobsSummary } from './sweep';
import { events } from './events/routes';
import { health } from './health/routes';
import { metrics } from './metrics/routes';
import type { EmitterApp } from './types';

const { app, document } = functionApp<EmitterApp>({
  settings: EMITTER_CONFIG,
  service: 'emitter',
  api: [health, metrics, events, deliveries, onboardingWebhook],
  pages: '/console',
  document: {
    title: 'ops-webhook emitter (portal, VM112)',
    description:
      "The portal's side of the link: accepts onboarding events in milliseconds, keeps them in a durable outbox, and delivers them signed to Ops.",
    servers: [{ url: 'http://127.0.0.1:8787', description: 'On VM112 (loopback)' }],
  },
});

/** The API's OpenAPI document, generated from its declarations. */
export const emitterDocument = document;

app.route('/console', consoleArea);
app.route('/__internal', sweep);

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
