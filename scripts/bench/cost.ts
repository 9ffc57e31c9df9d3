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
import { startServe } from '../../test/support/spawn';
import { cpuMs, load, rssMb, sampleRss, uniqueEvent } from './measure';

export interface CostRow {
  name: string;
  synchronous: 'FULL' | 'NORMAL';
  rps: number;
  p50: number;
  p99: number;
  ok2xx: number;
  cpu_ms_per_event: number;
  rss_idle_mb: number;
  rss_peak_mb: number;
  start_ms: number;
}

const EVENTS = 6000;
const BASELINE_BUNDLE = join(ROOT, 'dist/bench-baseline.mjs');

/** Bundles the baseline to plain JavaScript, so it runs without a TypeScript loader (as the host does). */
async function buildBaseline(): Promise<void> {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [join(ROOT, 'scripts/bench/baseline-receiver.ts')],
    outfile: BASELINE_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
}

/** Starts the plain-Node baseline; resolves with its pid, url, and how long it took to listen. */
export async function startBaseline(file: string, secret: string, synchronous = 'FULL') {
  await buildBaseline();
  const started = Date.now();
  const child = spawn(process.execPath, [BASELINE_BUNDLE, file], {
    cwd: ROOT,
    env: { ...process.env, WEBHOOK_SECRET: secret, SQLITE_SYNCHRONOUS: synchronous },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
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

async function measure(name: string, synchronous: 'FULL' | 'NORMAL', service: Awaited<ReturnType<typeof startBaseline>>, secret: string): Promise<CostRow> {
  await new Promise((r) => setTimeout(r, 1000)); // settle: idle memory after start-up work
  const idle = rssMb(service.pid);
  const peak = sampleRss(service.pid);
  const cpuBefore = cpuMs(service.pid);
  const result = await load({
    url: `${service.url}/api/v1/webhooks/onboard`,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-webhook-secret': secret },
    body: () => uniqueEvent(name.split(' ')[0]!.replace(/[^a-z0-9]/g, '')),
    amount: EVENTS,
    connections: 32,
  });
  const cpu = cpuMs(service.pid) - cpuBefore;
  if (result.ok2xx !== EVENTS) throw new Error(`${name}: ${result.ok2xx} of ${EVENTS} deliveries answered 2xx`);
  const row: CostRow = {
    name,
    synchronous,
    rps: result.rps,
    p50: result.p50,
    p99: result.p99,
    ok2xx: result.ok2xx,
    cpu_ms_per_event: Math.round((cpu / Math.max(1, result.ok2xx)) * 1000) / 1000,
    rss_idle_mb: idle,
    rss_peak_mb: peak.stop(),
    start_ms: service.startMs,
  };
  await service.stop();
  return row;
}

/** The rows: baseline, receiver, and receiver with two workerd processes, each at FULL and at NORMAL. */
export async function measureCost(dir: string, secret: string): Promise<CostRow[]> {
  const rows: CostRow[] = [];
  for (const synchronous of ['FULL', 'NORMAL'] as const) {
    rows.push(await measure('baseline (plain Node)', synchronous, await startBaseline(join(dir, `cost-base-${synchronous}.db`), secret, synchronous), secret));
    rows.push(await measure('receiver (host + workerd)', synchronous, await startReceiver(join(dir, `cost-recv-${synchronous}.db`), secret, synchronous), secret));
    rows.push(await measure('receiver, WORKERD_PROCESSES=2', synchronous, await startReceiver(join(dir, `cost-recv2-${synchronous}.db`), secret, synchronous, 2), secret));
  }
  return rows;
}

/** The table, with each receiver row's ratios against the baseline at the same level. */
export function costLines(rows: CostRow[]): string[] {
  const pad = (s: string | number, n: number) => String(s).padEnd(n);
  const lines = [`${pad('cost per event (32 connections)', 34)}${pad('sync', 8)}${pad('req/s', 8)}${pad('p99 ms', 8)}${pad('CPU ms/ev', 11)}${pad('RSS idle', 10)}${pad('RSS peak', 10)}start ms`];
  for (const r of rows) {
    const base = rows.find((b) => b.synchronous === r.synchronous && b.name.startsWith('baseline'))!;
    const vs = r === base ? '' : `  (${(r.rps / base.rps).toFixed(2)}× req/s, ${(r.cpu_ms_per_event / base.cpu_ms_per_event).toFixed(2)}× CPU, ${(r.rss_peak_mb / base.rss_peak_mb).toFixed(2)}× RSS)`;
    lines.push(`${pad(r.name, 34)}${pad(r.synchronous, 8)}${pad(r.rps, 8)}${pad(r.p99, 8)}${pad(r.cpu_ms_per_event, 11)}${pad(r.rss_idle_mb, 10)}${pad(r.rss_peak_mb, 10)}${r.start_ms}${vs}`);
  }
  return lines;
}
