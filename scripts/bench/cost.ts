/**
 * What one event costs: the receiver under workerd against the best plain implementation of the
 * same intake (scripts/bench/baseline-receiver.ts: @hono/node-server and @libsql/client in one
 * Node process, the same checks, services and SQL, one batch per webhook, WAL), each at the same
 * durability level, FULL and NORMAL. For every row: throughput and latency at 32 connections,
 * CPU milliseconds per event summed over every process of the service (/proc), resident memory
 * idle and at peak, and the time from spawn to answering. Run alone with `npm run bench -- cost`.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from '../../host/project.mjs';
import { startServe } from '../support/serve-process';
import { cpuUse, load, rssMb, sampleRss, uniqueEvent, type LoadResult } from './measure';
import { hasWrk, wrkEvents } from './wrk';

export interface CostRow {
  name: string;
  /** The SQLite durability level, or `none` for the design floors (no database). */
  synchronous: 'FULL' | 'NORMAL' | 'none';
  rps: number;
  p50: number;
  p99: number;
  ok2xx: number;
  cpu_ms_per_event: number;
  /** CPU µs per event by process name, user + system (e.g. `node 210+40`, `workerd 380+60`) */
  cpu_us_split: Record<string, string>;
  rss_idle_mb: number;
  rss_peak_mb: number;
  start_ms: number;
  /** The load generator: wrk where installed, else autocannon (which shares the cores more heavily). */
  load: 'wrk' | 'autocannon';
}

const EVENTS = 6000;
const WRK_SECONDS = 10;
const USE_WRK = hasWrk();
const BUNDLED = new Map<string, Promise<string>>();

/**
 * Bundles a bench service to plain JavaScript, so it runs without a TypeScript loader (as the
 * host does); once per run, however many rows start it.
 */
function bundleService(entry: string): Promise<string> {
  let bundled = BUNDLED.get(entry);
  if (!bundled) BUNDLED.set(entry, (bundled = buildService(entry)));
  return bundled;
}

async function buildService(entry: string): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = join(ROOT, 'dist', `bench-${entry.replace(/\.ts$/, '')}.mjs`);
  await build({
    entryPoints: [join(ROOT, 'scripts/bench', entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return outfile;
}

/** Starts a bundled bench service; resolves with its pid, url, and how long it took to listen. */
async function startNodeService(entry: string, args: string[], env: Record<string, string>) {
  const bundle = await bundleService(entry);
  const started = Date.now();
  const child = spawn(process.execPath, [bundle, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /"url":"([^"]+)"/.exec(line);
      if (m) resolve(m[1]!);
    }),
  );
  return {
    pid: child.pid!,
    url,
    startMs: Date.now() - started,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
    },
  };
}

/** Starts the plain-Node baseline (scripts/bench/baseline-receiver.ts) on `file`. */
export function startBaseline(file: string, secret: string, synchronous = 'FULL') {
  return startNodeService('baseline-receiver.ts', [file], { WEBHOOK_SECRET: secret, SQLITE_SYNCHRONOUS: synchronous });
}

/** Starts a design floor (scripts/bench/floor-service.ts): `request` or `hop`. */
function startFloor(kind: 'request' | 'hop', dir: string) {
  return startNodeService('floor-service.ts', [kind, dir], {});
}

async function startReceiver(file: string, secret: string, synchronous: string, processes = 1) {
  const started = Date.now();
  const proc = await startServe('receiver', {
    WEBHOOK_SECRET: secret,
    DATABASE_URL: `file:${file}`,
    SQLITE_SYNCHRONOUS: synchronous,
    WORKERD_PROCESSES: String(processes),
    LOG_LEVEL: 'error',
  });
  while ((await fetch(`${proc.url}/healthz`)).status !== 200) await new Promise((r) => setTimeout(r, 20));
  return { pid: proc.child.pid!, url: proc.url, startMs: Date.now() - started, stop: async () => void (await proc.stop()) };
}

async function measure(name: string, synchronous: CostRow['synchronous'], service: Awaited<ReturnType<typeof startBaseline>>, secret: string): Promise<CostRow> {
  await new Promise((r) => setTimeout(r, 1000)); // settle: idle memory after start-up work
  const idle = rssMb(service.pid);
  const peak = sampleRss(service.pid);
  const cpuBefore = cpuUse(service.pid);
  const url = `${service.url}/api/v1/webhooks/onboard`;
  const headers = { 'content-type': 'application/json', 'x-webhook-secret': secret };
  const prefix = name.split(' ')[0]!.replace(/[^a-z0-9]/g, '');
  const result: LoadResult = USE_WRK
    ? await wrkEvents({ url, headers, prefix, connections: 32, durationSeconds: WRK_SECONDS })
    : await load({ url, method: 'POST', headers, body: () => uniqueEvent(prefix), amount: EVENTS, connections: 32 });
  const cpuAfter = cpuUse(service.pid);
  const cpu = cpuAfter.total - cpuBefore.total;
  const perEvent = (ms: number) => Math.round((ms / Math.max(1, result.ok2xx)) * 1000);
  const cpuSplit = Object.fromEntries(
    Object.entries(cpuAfter.byName).map(([name, after]) => {
      const before = cpuBefore.byName[name] ?? { user: 0, system: 0 };
      return [name, `${perEvent(after.user - before.user)}+${perEvent(after.system - before.system)}`];
    }),
  );
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx answers and ${result.errors} errors in ${result.requests} deliveries`);
  const row: CostRow = {
    name,
    synchronous,
    rps: result.rps,
    p50: result.p50,
    p99: result.p99,
    ok2xx: result.ok2xx,
    cpu_ms_per_event: Math.round((cpu / Math.max(1, result.ok2xx)) * 1000) / 1000,
    cpu_us_split: cpuSplit,
    rss_idle_mb: idle,
    rss_peak_mb: peak.stop(),
    start_ms: service.startMs,
    load: USE_WRK ? 'wrk' : 'autocannon',
  };
  await service.stop();
  return row;
}

/**
 * The rows: baseline, receiver, and receiver with two workerd processes, each at FULL and at NORMAL
 * (or only at `only`, for quick comparisons while working on one lever).
 */
export async function measureCost(dir: string, secret: string, only?: 'FULL' | 'NORMAL'): Promise<CostRow[]> {
  const rows: CostRow[] = [];
  // What the design itself costs, with no validation, SQL or logging (no durability level applies).
  rows.push(await measure('floor: workerd request only', 'none', await startFloor('request', dir), secret));
  rows.push(await measure('floor: workerd + one libSQL hop', 'none', await startFloor('hop', dir), secret));
  for (const synchronous of only ? [only] : (['FULL', 'NORMAL'] as const)) {
    rows.push(await measure('baseline (plain Node)', synchronous, await startBaseline(join(dir, `cost-base-${synchronous}.db`), secret, synchronous), secret));
    rows.push(await measure('receiver (host + workerd)', synchronous, await startReceiver(join(dir, `cost-recv-${synchronous}.db`), secret, synchronous), secret));
    rows.push(await measure('receiver, WORKERD_PROCESSES=2', synchronous, await startReceiver(join(dir, `cost-recv2-${synchronous}.db`), secret, synchronous, 2), secret));
  }
  return rows;
}

/** The table, with each receiver row's ratios against the baseline at the same level. */
export function costLines(rows: CostRow[]): string[] {
  const pad = (s: string | number, n: number) => String(s).padEnd(n);
  const lines = [`load: ${rows[0]?.load ?? 'none'}, 32 connections${rows[0]?.load === 'wrk' ? `, ${WRK_SECONDS} s a row` : `, ${EVENTS} events a row`}`, `${pad('cost per event', 34)}${pad('sync', 8)}${pad('req/s', 8)}${pad('p99 ms', 8)}${pad('CPU ms/ev', 11)}${pad('RSS idle', 10)}${pad('RSS peak', 10)}start ms`];
  for (const r of rows) {
    const base = rows.find((b) => b.synchronous === r.synchronous && b.name.startsWith('baseline'));
    const vs = !base || r === base ? '' : `  (${(r.rps / base.rps).toFixed(2)}× req/s, ${(r.cpu_ms_per_event / base.cpu_ms_per_event).toFixed(2)}× CPU, ${(r.rss_peak_mb / base.rss_peak_mb).toFixed(2)}× RSS)`;
    lines.push(`${pad(r.name, 34)}${pad(r.synchronous, 8)}${pad(r.rps, 8)}${pad(r.p99, 8)}${pad(r.cpu_ms_per_event, 11)}${pad(r.rss_idle_mb, 10)}${pad(r.rss_peak_mb, 10)}${r.start_ms}${vs}`);
    lines.push(`${pad('', 34)}CPU µs/event, user+system: ${Object.entries(r.cpu_us_split).map(([n, v]) => `${n} ${v}`).join(', ')}`);
  }
  return lines;
}

/**
 * The issue's cost targets, checked on the receiver row at each durability level against the
 * baseline at the same level (never loosened to pass: a miss is reported with its figure).
 */
export function costTargets(rows: CostRow[]): (readonly [string, boolean, string])[] {
  const out: (readonly [string, boolean, string])[] = [];
  for (const level of ['FULL', 'NORMAL'] as const) {
    const base = rows.find((r) => r.synchronous === level && r.name.startsWith('baseline'));
    const recv = rows.find((r) => r.synchronous === level && r.name.startsWith('receiver (host'));
    if (!base || !recv) continue;
    out.push(
      [`${level}: receiver CPU ≤ 0.30 ms per event`, recv.cpu_ms_per_event <= 0.3, `${recv.cpu_ms_per_event} ms`],
      [`${level}: receiver ≥ 0.8× baseline req/s`, recv.rps >= 0.8 * base.rps, `${(recv.rps / base.rps).toFixed(2)}× (${recv.rps} / ${base.rps})`],
      [`${level}: receiver p99 ≤ 25 ms (cost run)`, recv.p99 <= 25, `${recv.p99} ms`],
      [`${level}: receiver idle RSS ≤ 120 MB`, recv.rss_idle_mb <= 120, `${recv.rss_idle_mb} MB`],
      [`${level}: receiver peak RSS ≤ 200 MB`, recv.rss_peak_mb <= 200, `${recv.rss_peak_mb} MB`],
      [`${level}: receiver start to healthy ≤ 1 s`, recv.start_ms <= 1000, `${recv.start_ms} ms`],
    );
  }
  return out;
}
