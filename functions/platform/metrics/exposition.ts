/**
 * The Prometheus text exposition format (0.0.4), written by hand: families with HELP and TYPE
 * once each, escaped label values, and histograms as cumulative buckets with `_sum` and `_count`.
 * (prom-client keeps its registry per process and only half works in workerd.)
 */

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface Sample {
  /** Full sample name (a histogram's have `_bucket`, `_sum`, `_count`). */
  name: string;
  /** Label pairs, already rendered (`a="x",b="y"`), or none. */
  labels?: string;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

/** A label value escaped as the format requires (backslash, double quote, newline). */
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** `{a: 'x', b: 'y'}` as `a="x",b="y"`. */
export function labelPairs(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([name, value]) => `${name}="${escapeLabelValue(value)}"`)
    .join(',');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** The exposition text of `families`, in the order given. */
export function renderExposition(families: MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${family.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      lines.push(`${sample.name}${sample.labels ? `{${sample.labels}}` : ''} ${formatValue(sample.value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A histogram's samples from its cumulative bucket counts (`counts[i]` observations ≤
 * `bounds[i]`), the count of all observations and their sum. `extra` labels go on every sample.
 */
export function histogramSamples(
  name: string,
  bounds: readonly number[],
  counts: readonly number[],
  total: { count: number; sum: number },
  extra = '',
): Sample[] {
  const prefix = extra ? `${extra},` : '';
  return [
    ...bounds.map((le, i) => ({ name: `${name}_bucket`, labels: `${prefix}le="${le}"`, value: counts[i] ?? 0 })),
    { name: `${name}_bucket`, labels: `${prefix}le="+Inf"`, value: total.count },
    { name: `${name}_sum`, labels: extra || undefined, value: total.sum },
    { name: `${name}_count`, labels: extra || undefined, value: total.count },
  ];
}
