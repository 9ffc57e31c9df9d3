/** Measurement helpers for the benchmark: load runs, process memory, row counts. */
import { readFileSync } from 'node:fs';
import { processTree } from '../support/processes';
import autocannon from 'autocannon';

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  requests: number;
  seconds: number;
}

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** A body per request (called for every request), or one fixed body. */
  body?: string | (() => string);
  connections?: number;
  /** Either a fixed number of requests or a duration. */
  amount?: number;
  durationSeconds?: number;
}

/** Runs autocannon against one URL and keeps the figures the table needs. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const { body } = options;
  const started = Date.now();
  const result = await autocannon({
    url: options.url,
    connections: options.connections ?? 32,
    ...(options.amount ? { amount: options.amount } : { duration: options.durationSeconds ?? 5 }),
    method: options.method ?? 'GET',
    headers: options.headers,
    ...(typeof body === 'string' ? { body } : {}),
    ...(typeof body === 'function'
      ? { requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: body() }) }] }
      : {}),
  } as autocannon.Options);
  const seconds = (Date.now() - started) / 1000;
  return {
    rps: Math.round(result.requests.total / seconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    requests: result.requests.total,
    seconds: Math.round(seconds * 10) / 10,
  };
}

function rssKb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

export interface CpuUse {
  /** user + system, every process of the tree, in milliseconds */
  total: number;
  /** user and system milliseconds per process name (`comm`: node, workerd…), summed over processes of that name */
  byName: Record<string, { user: number; system: number }>;
}

/** CPU time used so far by `pid` and its descendants, in milliseconds, also split by process name. */
export function cpuUse(pid: number): CpuUse {
  const MS_PER_TICK = 10; // getconf CLK_TCK = 100 on Linux
  const use: CpuUse = { total: 0, byName: {} };
  for (const p of processTree(pid)) {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8');
      const name = fields.slice(fields.indexOf('(') + 1, fields.lastIndexOf(')'));
      const rest = fields.slice(fields.lastIndexOf(')') + 2).split(' ');
      const user = Number(rest[11]) * MS_PER_TICK;
      const system = Number(rest[12]) * MS_PER_TICK;
      const entry = (use.byName[name] ??= { user: 0, system: 0 });
      entry.user += user;
      entry.system += system;
      use.total += user + system;
    } catch {
      // Gone.
    }
  }
  return use;
}

/** Resident memory of `pid` and its descendants now, in MB. */
export function rssMb(pid: number): number {
  return Math.round(processTree(pid).reduce((sum, p) => sum + rssKb(p), 0) / 1024);
}

/** Samples the resident memory of a process and all its descendants; `stop()` returns the peak in MB. */
export function sampleRss(pid: number, everyMs = 200): { stop(): number } {
  let peakKb = 0;
  const sample = () => {
    peakKb = Math.max(peakKb, processTree(pid).reduce((sum, p) => sum + rssKb(p), 0));
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return Math.round(peakKb / 1024);
    },
  };
}

/** The q-quantile of `values` (nearest rank). */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

const RUN_ID = Date.now().toString(36);
let eventCounter = 0;

/**
 * The body of an `account.created` event for a session never used before (in this run or an
 * earlier one on the same database): `prefix` names the load, so rows can be counted by it.
 */
export function uniqueEvent(prefix: string): string {
  eventCounter += 1;
  const session = `${prefix}-${RUN_ID}-${eventCounter}`;
  return JSON.stringify({ event: 'account.created', domain: `${session}.example.com`, session_id: session, data: { admin_email: 'admin@example.com' } });
}
