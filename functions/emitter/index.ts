/**
 * Emitter function (VM112): accepts onboarding events from the portal in milliseconds, keeps
 * them in a durable outbox and delivers them signed to Ops with retries. Served by workerd
 * through `npm run serve -- emitter`; the host drives its sweep, Cloudflare its cron.
 */
import { Hono } from 'hono';
import { loadConfig } from '../shared/config';
import { requireAllowedHost } from '../shared/allowed-hosts';
import { apiDocs } from '../shared/api-docs';
import { servedByListener } from '../shared/listeners';
import { requireBearer } from '../shared/bearer-token';
import { errorHandler, notFoundHandler } from '../shared/http-errors';
import { createLogger } from '../shared/logger';
import { measureRequests } from '../shared/metrics/request-durations';
import { requestContext } from '../shared/request-context';
import { EMITTER_CONFIG, type EmitterBindings } from './config';
import { emitterDocument } from './openapi';
import { consoleArea } from './console/routes';
import { deliveries } from './deliveries/routes';
import { events } from './events/routes';
import { health } from './health/routes';
import { internal } from './delivery/routes';
import { metrics } from './metrics/routes';
import { deliveryDeps, withDeliveryDeps } from './delivery/deps';
import { sweep } from './delivery/sweep';
import type { EmitterApp } from './types';

const app = new Hono<EmitterApp>();

app.use(requestContext(EMITTER_CONFIG, 'emitter'));
app.use(requireAllowedHost<EmitterApp>());
// With OPERATOR_PORT, each listener serves only its own paths (shared/listeners.ts).
app.use(servedByListener({ machine: ['/v1', '/healthz', '/metrics'], operator: ['/console'] }));
app.use(measureRequests);
app.onError(errorHandler((c) => c.var.logger ?? createLogger()));
app.notFound(notFoundHandler);
// The portal's API always needs its token: the host makes one at first start when none is set.
app.use(withDeliveryDeps);
app.use('/v1/*', requireBearer<EmitterApp>((c) => c.var.config.EMITTER_API_TOKEN, 'unavailable'));

app.route('/healthz', health);
app.route('/metrics', metrics);
app.route('/v1/events', events);
app.route('/v1/deliveries', deliveries);
app.route('/console', consoleArea);
app.route('/__internal', internal);
app.route('/', apiDocs(emitterDocument));

export default {
  fetch: app.fetch,
  /** Cloudflare cron (wrangler.toml): the same sweep the host triggers every second. */
  async scheduled(_controller: ScheduledController, env: EmitterBindings, ctx: ExecutionContext): Promise<void> {
    const config = loadConfig(EMITTER_CONFIG, env as Record<string, unknown>);
    const logger = createLogger(config.LOG_LEVEL, { service: 'emitter', trigger: 'cron' });
    ctx.waitUntil(sweep(deliveryDeps(env, config, logger), 25_000).then((summary) => logger.info('sweep', { ...summary })));
  },
} satisfies ExportedHandler<EmitterBindings>;
