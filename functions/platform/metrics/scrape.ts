/**
 * GET /metrics for either function: an optional bearer token (METRICS_TOKEN), a one-second cache
 * (a scrape's aggregate queries run at most once a second per process, however many scrapers),
 * the build_info family, and the exposition content type.
 */
import type { SecurityScheme } from '../openapi/security-scheme';
import type { Services } from '../services';
import type { Context, Handler } from 'hono';
import { z } from 'zod';
import { assertBearer } from '../http/bearer-token';
import { ApiRoutes } from '../openapi/api-routes';
import { errorResponses } from '../openapi/document';
import { VERSION } from '../version';
import { EXPOSITION_CONTENT_TYPE, histogramSamples, labelPairs, renderExposition, type MetricFamily } from './exposition';

const CACHE_MS = 1000;

/** What the handler needs of a function's Hono environment. */
interface ScrapeEnv {
  Variables: { config: { METRICS_TOKEN?: string | undefined }; accessLog: Record<string, unknown>; services: Pick<Services, 'now'> };
}

/** `ops_webhook_build_info{version, function} 1`. */
function buildInfo(fn: string): MetricFamily {
  return {
    name: 'ops_webhook_build_info',
    help: 'Always 1; the labels say which version of which function answers.',
    type: 'gauge',
    samples: [{ name: 'ops_webhook_build_info', labels: labelPairs({ version: VERSION, function: fn }), value: 1 }],
  };
}

/** /metrics' credential: open unless METRICS_TOKEN is set (the figures are counts, nothing personal). */
function metricsToken<E extends ScrapeEnv>(): SecurityScheme<E> {
  return {
    schemes: [{ name: 'metricsToken', value: { type: 'http', scheme: 'bearer', description: 'Only when METRICS_TOKEN is set.' } }],
    optional: true,
    enforce: async function metricsTokenWhenSet(c, next) {
      const token = c.var.config.METRICS_TOKEN;
      if (token) assertBearer(c.req.header('authorization'), token, c.var.accessLog);
      await next();
    },
  };
}

/** The metrics feature of function `fn`: GET /metrics answering the families `collect` returns. */
export function metricsRoutes<E extends ScrapeEnv>(fn: string, collect: (c: Context<E>) => Promise<MetricFamily[]>): ApiRoutes<E> {
  return new ApiRoutes<E>()
    .route(
      {
        method: 'get',
        path: '/metrics',
        summary: 'Prometheus metrics (text format 0.0.4)',
        tags: ['operations'],
        security: metricsToken<E>(),
        responses: {
          200: { description: 'The exposition.', content: { 'text/plain; version=0.0.4': { schema: z.string() } } },
          ...errorResponses(401),
        },
      },
      scrapeHandler(fn, collect),
    );
}

/** A handler that answers the families `collect` returns for `fn`, with build_info first. */
function scrapeHandler<E extends ScrapeEnv>(fn: string, collect: (c: Context<E>) => Promise<MetricFamily[]>): Handler<E> {
  let cached: { at: number; text: string } | undefined;
  return async function scrapeMetrics(c) {
    const now = c.var.services.now();
    if (!cached || now - cached.at >= CACHE_MS) {
      cached = { at: now, text: renderExposition([buildInfo(fn), ...(await collect(c))]) };
    }
    c.var.accessLog.quiet = true;
    return c.body(cached.text, 200, { 'content-type': EXPOSITION_CONTENT_TYPE });
  };
}

type StoredRow = { name: string; labels: string; value: number };

/** The counter family `name` from the stored rows of that name. */
export function storedCounter(rows: StoredRow[], name: string, help: string): MetricFamily {
  const own = rows.filter((r) => r.name === name).sort((a, b) => a.labels.localeCompare(b.labels));
  return { name, help, type: 'counter', samples: own.map((r) => ({ name, labels: r.labels || undefined, value: r.value })) };
}

/**
 * The histogram family `name` from stored rows: `name_bucket` rows labelled `le="<bound>"` (each
 * stored cumulatively, so a bound with no row has seen nothing), `name_count` and `name_sum`.
 */
export function storedHistogram(rows: StoredRow[], name: string, bounds: readonly number[], help: string): MetricFamily {
  const value = (sample: string, labels = '') => rows.find((r) => r.name === sample && r.labels === labels)?.value ?? 0;
  const counts = bounds.map((le) => value(`${name}_bucket`, `le="${le}"`));
  return { name, help, type: 'histogram', samples: histogramSamples(name, bounds, counts, { count: value(`${name}_count`), sum: value(`${name}_sum`) }) };
}
