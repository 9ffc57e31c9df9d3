/**
 * Emitter function (VM112): accepts onboarding events from the portal in milliseconds, keeps
 * them in a durable outbox and delivers them signed to Ops with retries. Served by workerd
 * through `npm run serve -- emitter`; the launcher drives its sweep, Cloudflare its cron.
 */
import { Hono } from 'hono';
import { EMITTER_CONFIG, loadConfig } from '../shared/config';
import { matchesSecret } from '../shared/constant-time';
import { apiError, errorHandler, notFoundHandler } from '../shared/http-errors';
import { createLogger } from '../shared/logger';
import { requestContext } from '../shared/request-context';
import { deliveries } from './routes/deliveries';
import { events } from './routes/events';
import { health } from './routes/health';
import { internal } from './routes/internal';
import { deliveryDeps } from './services/deps';
import { sweep } from './services/sweep';
import type { EmitterApp, EmitterBindings } from './types';

const app = new Hono<EmitterApp>();

app.use(requestContext(EMITTER_CONFIG, 'emitter'));
app.onError(errorHandler((c) => c.var.logger ?? createLogger()));
app.notFound(notFoundHandler);

app.use('/v1/*', async function requireApiToken(c, next) {
  const token = c.var.config.EMITTER_API_TOKEN;
  if (token) {
    const given = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    if (!given || !(await matchesSecret(given, token))) {
      c.var.log.reason = given ? 'bad_token' : 'missing_token';
      throw apiError(401, 'unauthorized', 'a valid Authorization: Bearer token is required', {
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
  }
  await next();
});

app.route('/healthz', health);
app.route('/v1/events', events);
app.route('/v1/deliveries', deliveries);
app.route('/__internal', internal);

export default {
  fetch: app.fetch,
  /** Cloudflare cron (wrangler.toml): the same sweep the serve launcher triggers every second. */
  async scheduled(_controller: ScheduledController, env: EmitterBindings, ctx: ExecutionContext): Promise<void> {
    const config = loadConfig(EMITTER_CONFIG, env as unknown as Record<string, unknown>);
    const logger = createLogger(config.LOG_LEVEL, { service: 'emitter', trigger: 'cron' });
    ctx.waitUntil(sweep(deliveryDeps(env, config, logger), 25_000).then((summary) => logger.info('sweep', { ...summary })));
  },
} satisfies ExportedHandler<EmitterBindings>;
