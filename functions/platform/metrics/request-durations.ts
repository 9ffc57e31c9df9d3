/**
 * Request durations by route, as a histogram kept in this worker process's memory: a per-process
 * figure (it restarts at zero with the process, as Prometheus counters may), unlike the exact
 * counters kept in the database. The route label is the matched route pattern, never the raw
 * path, so a caller cannot create label values.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { histogramSamples, type MetricFamily } from './exposition';

/** Bucket bounds in seconds. */
const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

interface RouteHistogram {
  counts: number[];
  count: number;
  sum: number;
}

const byRoute = new Map<string, RouteHistogram>();

/** The route pattern that answered, or `unmatched`. */
function routeLabel(c: Context): string {
  const path = routePath(c);
  return path === '' || path.includes('*') ? 'unmatched' : path;
}

/** Middleware: times every request and records it under its route. */
export const measureRequests: MiddlewareHandler = async function measureRequests(c, next) {
  const started = performance.now();
  try {
    await next();
  } finally {
    const seconds = (performance.now() - started) / 1000;
    const route = routeLabel(c);
    let histogram = byRoute.get(route);
    if (!histogram) byRoute.set(route, (histogram = { counts: BOUNDS.map(() => 0), count: 0, sum: 0 }));
    BOUNDS.forEach((le, i) => {
      if (seconds <= le) histogram.counts[i]! += 1;
    });
    histogram.count += 1;
    histogram.sum += seconds;
  }
};

/** The histogram family `name` (e.g. `ops_webhook_receiver_request_duration_seconds`). */
export function requestDurationFamily(name: string): MetricFamily {
  const samples = [...byRoute.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([route, h]) => histogramSamples(name, BOUNDS, h.counts, h, `route="${route}"`));
  return { name, help: 'Time to answer a request, by route (this worker process, since it started).', type: 'histogram', samples };
}
