/**
 * `npm run bench`: measures both functions on this machine, side by side in one run, on
 * 127.0.0.1 with ephemeral ports and temporary databases, and compares them with a ceiling
 * (a trivial worker under the same workerd) and a baseline (the same receiver in plain Node).
 * Prints one table, checks the performance targets, and writes bench/results/latest.json.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFunctions } from '../../host/build';
import { ROOT } from '../../host/project.mjs';
import { freePort, startServe, type ServeProcess } from '../support/serve-process';
import { renderWorkerdConfig } from '../../host/workerd/config';
import { readCompatibility } from '../../host/wrangler-toml';
import { spawnWorkerd } from '../../host/workerd/supervisor';
import { queryFile } from '../support/sqlite-read';
import { RUN_EMITTER_AUTH as EMITTER_AUTH } from '../support/serve-tokens';
import { load, quantile, sampleRss, uniqueEvent, type LoadResult } from './measure';
import { costLines, costTargets, measureCost, startBaseline } from './cost';
import { measurePages, type PageTimings } from './pages';
import { profileReceiver } from './profile';
import { measureSignInFlood } from './sign-in-flood';

const SECRET = `bench-${crypto.randomUUID()}-${crypto.randomUUID()}`;
const CONNECTIONS = 32;
const dir = mkdtempSync(join(tmpdir(), 'ops-webhook-bench-'));

const say = (msg: string) => process.stderr.write(`bench: ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const JSON_HEADERS = { 'content-type': 'application/json' };
const AUTH = { ...JSON_HEADERS, 'x-webhook-secret': SECRET };
/** What the portal sends the emitter: JSON and its API token. */
const PORTAL = { ...JSON_HEADERS, ...EMITTER_AUTH };

/** POSTs `amount` events, each for a new session named `prefix-…`, at `connections` in flight. */
function loadUnique(url: string, prefix: string, amount: number, headers = JSON_HEADERS, connections = CONNECTIONS) {
  return load({ url, method: 'POST', headers, body: () => uniqueEvent(prefix), amount, connections });
}

/** The ceiling: a worker that only answers "ok", under the same workerd binary and config generator. */
async function ceiling(): Promise<LoadResult> {
  const work = mkdtempSync(join(dir, 'ceiling-'));
  writeFileSync(join(work, 'hello.js'), 'export default { fetch() { return new Response("ok"); } };\n');
  writeFileSync(
    join(work, 'workerd.capnp'),
    renderWorkerdConfig({
      configDir: work,
      bundle: join(work, 'hello.js'),
      host: '127.0.0.1',
      port: 0,
      compatibilityDate: readCompatibility().date,
      compatibilityFlags: readCompatibility().flags,
      text: {},
      fromEnvironment: [],
      database: { unixSocket: join(work, 'unused.sock') },
      outbound: false,
    }),
  );
  let child!: ChildProcess;
  const port = await new Promise<number>((resolve) => (child = spawnWorkerd(join(work, 'workerd.capnp'), {}, resolve)));
  try {
    return await load({ url: `http://127.0.0.1:${port}/`, durationSeconds: 5, connections: CONNECTIONS });
  } finally {
    child.kill('SIGTERM');
  }
}

/** The baseline: the plain-Node receiver (scripts/bench/baseline-receiver.ts) at FULL, as the receiver row. */
async function baseline(): Promise<{ result: LoadResult; rows: number; rssMb: number }> {
  const file = join(dir, 'baseline.db');
  const service = await startBaseline(file, SECRET);
  const rss = sampleRss(service.pid);
  const result = await loadUnique(`${service.url}/api/v1/webhooks/onboard`, 'base', 6000, AUTH);
  const rssMb = rss.stop();
  await service.stop();
  return { result, rows: queryFile<{ n: number }>(file, 'SELECT count(*) AS n FROM webhook_events')[0]!.n, rssMb };
}

async function receiver(file: string, extra: Record<string, string> = {}): Promise<ServeProcess> {
  return startServe('receiver', { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${join(dir, file)}`, LOG_LEVEL: 'error', ...extra });
}

async function emitter(file: string, opsPort: number, extra: Record<string, string> = {}): Promise<ServeProcess> {
  return startServe('emitter', {
    OPS_WEBHOOK_URL: `http://127.0.0.1:${opsPort}/api/v1/webhooks/onboard`,
    OPS_WEBHOOK_SECRET: SECRET,
    DATABASE_URL: `file:${join(dir, file)}`,
    LOG_LEVEL: 'error',
    ...extra,
  });
}

async function emitterBacklog(proc: ServeProcess): Promise<number> {
  const health = (await (await fetch(`${proc.url}/healthz`)).json()) as { backlog: { pending: number } };
  return health.backlog.pending;
}

async function main(): Promise<void> {
  const started = Date.now();
  say('building bundles');
  await buildFunctions(['receiver', 'emitter']);

  say('1/7 ceiling: trivial worker under workerd');
  const ceil = await ceiling();

  say('2/7 baseline: same receiver in plain Node (@hono/node-server + @libsql/client file:)');
  const base = await baseline();

  say('3-5/7 receiver under workerd: unique, duplicate, rejected');
  const recv = await receiver('receiver.db');
  const recvRss = sampleRss(recv.child.pid!);
  const unique = await loadUnique(`${recv.url}/api/v1/webhooks/onboard`, 'uniq', 15000, AUTH);
  const dupBody = uniqueEvent('dup');
  const duplicate = await load({ url: `${recv.url}/api/v1/webhooks/onboard`, method: 'POST', headers: AUTH, body: dupBody, durationSeconds: 5 });
  const rejected = await load({
    url: `${recv.url}/api/v1/webhooks/onboard`,
    method: 'POST',
    headers: { ...JSON_HEADERS, 'x-webhook-secret': `${SECRET}-wrong` },
    body: dupBody,
    durationSeconds: 5,
  });
  const receiverRssMb = recvRss.stop();
  await recv.stop();
  const recvFile = join(dir, 'receiver.db');
  const uniqueRows = queryFile<{ n: number }>(recvFile, "SELECT count(*) AS n FROM webhook_events WHERE session_id LIKE 'uniq-%'")[0]!.n;
  const uniqueTickets = queryFile<{ n: number }>(recvFile, "SELECT count(*) AS n FROM tickets WHERE session_id LIKE 'uniq-%'")[0]!.n;

  say('6/7 emitter accept with Ops up, then end-to-end latency');
  const ops = await receiver('ops-live.db');
  const emit = await emitter('emitter-live.db', Number(new URL(ops.url).port));
  const emitRss = sampleRss(emit.child.pid!);
  const opsRss = sampleRss(ops.child.pid!);
  const accept = await loadUnique(`${emit.url}/v1/events`, 'acc', 10000, PORTAL);
  while ((await emitterBacklog(emit)) > 0) await sleep(100);
  // End to end, portal → committed at Ops, at a steady 10 events/s (far above the 10-50 onboardings a day it serves)…
  for (let i = 0; i < 200; i++) {
    const sent = Date.now();
    await fetch(`${emit.url}/v1/events`, { method: 'POST', headers: PORTAL, body: uniqueEvent('pace') });
    await sleep(Math.max(0, 100 - (Date.now() - sent)));
  }
  while ((await emitterBacklog(emit)) > 0) await sleep(100);
  // …and flat out with 4 portal workers in flight.
  const paced = await loadUnique(`${emit.url}/v1/events`, 'e2e', 400, PORTAL, 4);
  while ((await emitterBacklog(emit)) > 0) await sleep(100);
  const emitterRssMb = emitRss.stop();
  const opsRssMb = opsRss.stop();
  await emit.stop();
  await ops.stop();
  const latencies = (prefix: string) =>
    queryFile<{ ms: number }>(
      join(dir, 'emitter-live.db'),
      `SELECT delivered_at - created_at AS ms FROM outbox_messages WHERE session_id LIKE '${prefix}-%' AND status = 'delivered'`,
    ).map((r) => r.ms);
  const e2e = latencies('pace');
  const e2eLoaded = latencies('e2e');

  say('7/7 backlog drain: 5,000 events accepted while Ops is down, then Ops starts');
  const opsPort = await freePort();
  const drainEmitter = await emitter('emitter-drain.db', opsPort);
  const drainRss = sampleRss(drainEmitter.child.pid!);
  const backlogAccept = await loadUnique(`${drainEmitter.url}/v1/events`, 'drain', 5000, PORTAL);
  // Let the fast tries (1 s, 3 s, 9 s) run out, so the backlog sits on the slow schedule.
  await sleep(15_000);
  const opsBack = await receiver('ops-drain.db', { PORT: String(opsPort) });
  const backAt = Date.now();
  let pending = await emitterBacklog(drainEmitter);
  while (pending > 0 && Date.now() - backAt < 120_000) {
    await sleep(100);
    pending = await emitterBacklog(drainEmitter);
  }
  const drainSeconds = (Date.now() - backAt) / 1000;
  const drainRssMb = drainRss.stop();
  await drainEmitter.stop();
  await opsBack.stop();
  const drainRows = queryFile<{ n: number }>(join(dir, 'ops-drain.db'), 'SELECT count(*) AS n FROM webhook_events')[0]!.n;
  const drainTwice = queryFile<{ n: number }>(
    join(dir, 'emitter-drain.db'),
    "SELECT count(*) AS n FROM delivery_attempts WHERE outcome = 'delivered' AND status_code != 201",
  )[0]!.n;
  const firstDelivered = queryFile<{ t: number }>(join(dir, 'emitter-drain.db'), "SELECT min(delivered_at) AS t FROM outbox_messages")[0]!.t;

  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  say('operator pages with 10,000 tickets and messages');
  const pages = await measurePages(dir, SECRET);
  say('intake during a sign-in flood');
  const signInFlood = await measureSignInFlood(dir, SECRET);
  say('cost per event: design floors, baseline and receiver at FULL and NORMAL');
  const cost = await measureCost(dir, SECRET);

  const rows = [
    { name: '1 ceiling: trivial worker, workerd', ...ceil },
    { name: '2 baseline: receiver in plain Node', ...base.result },
    { name: '3 receiver: unique events', ...unique },
    { name: '4 receiver: duplicate deliveries', ...duplicate },
    { name: '5 receiver: rejected (401)', ...rejected },
    { name: '6 emitter: accept (Ops up)', ...accept },
  ];
  const checks = {
    receiver_vs_ceiling: ratio(unique.rps, ceil.rps),
    receiver_vs_baseline: ratio(unique.rps, base.result.rps),
    receiver_p99_ms: unique.p99,
    receiver_zero_loss: uniqueRows === unique.ok2xx && uniqueTickets === unique.ok2xx,
    emitter_accept_p99_ms: accept.p99,
    e2e_p50_ms: quantile(e2e, 0.5),
    e2e_p95_ms: quantile(e2e, 0.95),
    e2e_p99_ms: quantile(e2e, 0.99),
    e2e_loaded_p50_ms: quantile(e2eLoaded, 0.5),
    e2e_loaded_p95_ms: quantile(e2eLoaded, 0.95),
    e2e_loaded_p99_ms: quantile(e2eLoaded, 0.99),
    drain_seconds: Math.round(drainSeconds * 10) / 10,
    drain_after_first_delivery_seconds: Math.round(((backAt + drainSeconds * 1000 - firstDelivered) / 1000) * 10) / 10,
    drain_all_delivered_once: drainRows === 5000 && drainTwice === 0,
    pages_p95_ms: Object.fromEntries(pages.map((p) => [p.page, p.p95])),
    rss_mb: { receiver: receiverRssMb, emitter: Math.max(emitterRssMb, drainRssMb), receiver_with_emitter: opsRssMb, baseline: base.rssMb },
  };
  const targets = [
    ['receiver ≥ 40 % of ceiling', checks.receiver_vs_ceiling >= 0.4, `${Math.round(checks.receiver_vs_ceiling * 100)} %`],
    ['receiver ≥ 1.5× baseline', checks.receiver_vs_baseline >= 1.5, `${checks.receiver_vs_baseline}×`],
    ['receiver p99 ≤ 25 ms at 32 connections', unique.p99 <= 25, `${unique.p99} ms`],
    ['receiver zero loss (rows = tickets = 2xx)', checks.receiver_zero_loss, `${uniqueRows} rows, ${uniqueTickets} tickets, ${unique.ok2xx} 2xx`],
    ['emitter accept p99 ≤ 10 ms', accept.p99 <= 10, `${accept.p99} ms`],
    ['end-to-end p95 ≤ 50 ms (10 events/s)', checks.e2e_p95_ms <= 50, `${checks.e2e_p95_ms} ms (p50 ${checks.e2e_p50_ms}, p99 ${checks.e2e_p99_ms})`],
    ['backlog of 5,000 drained ≤ 30 s after Ops returns', drainSeconds <= 30, `${checks.drain_seconds} s (${checks.drain_after_first_delivery_seconds} s after the first delivery)`],
    ['backlog delivered once each', checks.drain_all_delivered_once, `${drainRows} rows, ${drainTwice} repeat deliveries`],
    ['operator pages p95 ≤ 50 ms with 10,000 rows', pages.every((p) => p.p95 <= 50), `slowest p95 ${Math.max(...pages.map((p) => p.p95))} ms`],
    ...costTargets(cost),
    ['peak RSS ≤ 300 MB per serve process', Math.max(receiverRssMb, emitterRssMb, drainRssMb, opsRssMb) <= 300, `receiver ${receiverRssMb} MB, emitter ${Math.max(emitterRssMb, drainRssMb)} MB`],
  ] as const;

  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memory_gb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    sqlite_synchronous: 'FULL',
  };
  const pad = (s: string | number, n: number) => String(s).padEnd(n);
  const lines = [
    `ops-webhook bench — ${new Date().toISOString()} — ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}`,
    `${pad('row', 40)}${pad('req/s', 9)}${pad('p50 ms', 8)}${pad('p99 ms', 8)}${pad('2xx', 8)}${pad('non-2xx', 9)}vs ceiling`,
    ...rows.map((r) => `${pad(r.name, 40)}${pad(r.rps, 9)}${pad(r.p50, 8)}${pad(r.p99, 8)}${pad(r.ok2xx, 8)}${pad(r.non2xx, 9)}${ratio(r.rps, ceil.rps)}`),
    `7 backlog drain: 5,000 accepted in ${backlogAccept.seconds} s while Ops was down; all delivered ${checks.drain_seconds} s after Ops started`,
    `end-to-end accept → committed at Ops, 200 events at 10/s: p50 ${checks.e2e_p50_ms} ms, p95 ${checks.e2e_p95_ms} ms, p99 ${checks.e2e_p99_ms} ms`,
    `end-to-end, 400 events flat out with 4 in flight (${paced.rps} req/s): p50 ${checks.e2e_loaded_p50_ms} ms, p95 ${checks.e2e_loaded_p95_ms} ms, p99 ${checks.e2e_loaded_p99_ms} ms`,
    `8 peak RSS (serve process + workerd): receiver ${receiverRssMb} MB, emitter ${Math.max(emitterRssMb, drainRssMb)} MB, receiver fed by emitter ${opsRssMb} MB; baseline Node ${base.rssMb} MB`,
    ...pageLines(pages),
    ...signInFlood,
    ...costLines(cost),
    '',
    'targets:',
    ...targets.map(([name, ok, figure]) => `  ${ok ? 'MET ' : 'MISS'} ${pad(name, 48)} ${figure}`),
    `(${Math.round((Date.now() - started) / 1000)} s)`,
  ];
  console.log(lines.join('\n'));
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench/results/latest.json'),
    `${JSON.stringify({ at: new Date().toISOString(), machine, rows, checks, cost, targets: targets.map(([name, met, figure]) => ({ name, met, figure })) }, null, 2)}\n`,
  );
}

/** `npm run bench -- pages`: only the operator pages (about 30 s). */
async function pagesOnly(): Promise<void> {
  await buildFunctions(['receiver', 'emitter']);
  const pages = await measurePages(dir, SECRET);
  console.log(pageLines(pages).join('\n'));
}

function pageLines(pages: PageTimings[]): string[] {
  return [
    `operator pages, ${'10,000'} tickets / messages, 200 sequential GETs each (ms):`,
    ...pages.map((p) => `  ${p.page.padEnd(44)} p50 ${String(p.p50).padEnd(6)} p95 ${String(p.p95).padEnd(6)} p99 ${p.p99}`),
  ];
}

/** `npm run bench -- cost`: only the cost-per-event comparison (about a minute). */
async function costOnly(): Promise<void> {
  await buildFunctions(['receiver']);
  const only = process.argv[3]?.toUpperCase();
  if (only !== undefined && only !== 'FULL' && only !== 'NORMAL') throw new Error('usage: npm run bench -- cost [FULL|NORMAL]');
  const rows = await measureCost(dir, SECRET, only);
  console.log([...costLines(rows), '', 'targets:', ...costTargets(rows).map(([name, ok, figure]) => `  ${ok ? 'MET ' : 'MISS'} ${name.padEnd(48)} ${figure}`)].join('\n'));
}

const MODES: Record<string, () => Promise<void>> = {
  pages: pagesOnly,
  'sign-in': async () => {
    await buildFunctions(['receiver']);
    console.log((await measureSignInFlood(dir, SECRET)).join('\n'));
  },
  cost: costOnly,
  // Profiles stay on disk for DevTools: this mode keeps its folder.
  profile: async () => {
    await buildFunctions(['receiver']);
    console.log((await profileReceiver(dir, SECRET, process.argv[3]?.toUpperCase() === 'NORMAL' ? 'NORMAL' : 'FULL')).join('\n'));
  },
};

(MODES[process.argv[2] ?? ''] ?? main)()
  .then(() => process.argv[2] !== 'profile' && rmSync(dir, { recursive: true, force: true }))
  .catch((err: Error) => {
    console.error(err);
    process.exit(1);
  });
