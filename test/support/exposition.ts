/**
 * Reads a /metrics answer the way Prometheus would: parsed whole by a real parser
 * (parse-prometheus-text-format), after checking the format rules a parser may let pass.
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { expect } from 'vitest';

export interface ParsedSample {
  labels?: Record<string, string>;
  value?: string;
  buckets?: Record<string, string>;
  count?: string;
  sum?: string;
}

export interface ParsedFamily {
  name: string;
  help: string;
  type: string;
  metrics: ParsedSample[];
}

/** Fetches `url`/metrics, checks the format rules, and returns the families by name. */
export async function scrape(url: string, headers: Record<string, string> = {}): Promise<Map<string, ParsedFamily>> {
  const res = await fetch(`${url}/metrics`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  // HELP and TYPE once per family, each before its samples.
  const seen = { HELP: new Set<string>(), TYPE: new Set<string>() };
  for (const line of text.split('\n')) {
    const comment = /^# (HELP|TYPE) (\S+)/.exec(line);
    if (!comment) continue;
    const kind = comment[1] as 'HELP' | 'TYPE';
    expect(seen[kind].has(comment[2]!), `${kind} ${comment[2]} twice`).toBe(false);
    seen[kind].add(comment[2]!);
  }
  const families = parsePrometheusTextFormat(text) as ParsedFamily[];
  expect(families.length).toBe(seen.TYPE.size);
  // Histogram rules, per label set: the parser folds a labelled histogram's series into one, so
  // the bucket lines are grouped here by their labels other than `le`.
  for (const family of families.filter((f) => f.type === 'HISTOGRAM')) {
    const series = new Map<string, { buckets: [number, number][]; count?: number }>();
    for (const line of text.split('\n')) {
      const sample = /^(\S+?)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!sample || !sample[1]!.startsWith(`${family.name}_`)) continue;
      const labels = sample[2] ?? '';
      const le = /(?:^|,)le="([^"]+)"/.exec(labels)?.[1];
      const key = labels.replace(/(?:^|,)le="[^"]+"/, '');
      const entry = series.get(key) ?? { buckets: [] };
      series.set(key, entry);
      if (sample[1] === `${family.name}_bucket`) entry.buckets.push([le === '+Inf' ? Infinity : Number(le), Number(sample[3])]);
      if (sample[1] === `${family.name}_count`) entry.count = Number(sample[3]);
    }
    for (const [key, { buckets, count }] of series) {
      const sorted = [...buckets].sort((x, y) => x[0] - y[0]);
      sorted.forEach(([, n], i) => expect(n, `${family.name}{${key}} buckets cumulative`).toBeGreaterThanOrEqual(sorted[i - 1]?.[1] ?? 0));
      expect(sorted.at(-1)?.[0], `${family.name}{${key}} ends with +Inf`).toBe(Infinity);
      expect(sorted.at(-1)?.[1], `${family.name}{${key}} +Inf equals _count`).toBe(count);
    }
  }
  return new Map(families.map((f) => [f.name, f]));
}

/** The value of the sample of `family` whose labels include `labels` (0 when there is none). */
export function valueOf(families: Map<string, ParsedFamily>, family: string, labels: Record<string, string> = {}): number {
  const found = families.get(family)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return found?.value === undefined ? 0 : Number(found.value);
}
