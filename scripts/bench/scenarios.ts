/**
 * The load scenarios of `npm run bench`, each a named step that starts what it measures, loads
 * it, stops it and answers its figures: the ceiling and the baseline it is compared with, the
 * receiver's three kinds of traffic, the emitter with Ops up (and end to end), and a backlog
 * drained after an Ops outage.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderWorkerdConfig } from '../../host/workerd/config';
import { spawnWorkerd } from '../../host/workerd/supervisor';
import { readCompatibility } from '../../host/wrangler-toml';
import { freePort, startServe, type ServeProcess } from '../support/serve-process';
import { RUN_EMITTER_AUTH as EMITTER_AUTH } from '../support/serve-tokens';
import { queryFile } from '../support/sqlite-read';
import { startBaseline } from './cost';
import { load, sampleRss, uniqueEvent, type LoadResult } from './measure';

/** Where a run keeps its databases, and the webhook secret its processes share. */
export interface BenchContext {
  dir: string;
  secret: string;
}

export const CONNECTIONS = 32;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const JSON_HEADERS = { 'content-type': 'application/json' };
/** What the portal sends the emitter: JSON and its API token. */
const PORTAL = { ...JSON_HEADERS, ...EMITTER_AUTH };
const auth = (ctx: BenchContext) => ({ ...JSON_HEADERS, 'x-webhook-secret': ctx.secret });
const countRows = (file: string, sql: string) => queryFile<{ n: number }>(file, sql)[0]!.n;

/** POSTs `amount` events, each for a new session named `prefix-…`, at `connections` in flight. */
function loadUnique(url: string, prefix: string, amount: number, headers = JSON_HEADERS, connections = CONNECTIONS) {
  return load({ url, method: 'POST', headers, body: () => uniqueEvent(prefix), amount, connections });
}

/** The ceiling: a worker that only answers "ok", under the same workerd binary and config generator. */
export async function ceiling(ctx: BenchContext): Promise<LoadResult> {
  const work = mkdtempSync(join(ctx.dir, 'ceiling-'));
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
export async function baseline(ctx: BenchContext): Promise<{ result: LoadResult; rows: number; rssMb: number }> {
  const file = join(ctx.dir, 'baseline.db');
  const service = await startBaseline(file, ctx.secret);
  const rss = sampleRss(service.pid);
  const result = await loadUnique(`${service.url}/api/v1/webhooks/onboard`, 'base', 6000, auth(ctx));
  const rssMb = rss.stop();
  await service.stop();
  return { result, rows: countRows(file, 'SELECT count(*) AS n FROM webhook_events'), rssMb };
}

/** A receiver serve process over `file` in the run's folder. */
function receiver(ctx: BenchContext, file: string, extra: Record<string, string> = {}): Promise<ServeProcess> {
  return startServe('receiver', { WEBHOOK_SECRET: ctx.secret, DATABASE_URL: `file:${join(ctx.dir, file)}`, LOG_LEVEL: 'error', ...extra });
}

/** An emitter serve process over `file`, delivering to a receiver on `opsPort`. */
function emitter(ctx: BenchContext, file: string, opsPort: number, extra: Record<string, string> = {}): Promise<ServeProcess> {
  return startServe('emitter', {
    OPS_WEBHOOK_URL: `http://127.0.0.1:${opsPort}/api/v1/webhooks/onboard`,
    OPS_WEBHOOK_SECRET: ctx.secret,
    DATABASE_URL: `file:${join(ctx.dir, file)}`,
    LOG_LEVEL: 'error',
    ...extra,
  });
}

/** The emitter's pending count, from its /healthz. */
async function emitterBacklog(proc: ServeProcess): Promise<number> {
  const health = (await (await fetch(`${proc.url}/healthz`)).json()) as { backlog: { pending: number } };
  return health.backlog.pending;
}

/** Rows 3-5: the receiver's unique, duplicate and rejected traffic, and whether every 2xx left its row and ticket. */
export async function receiverTraffic(ctx: BenchContext) {
  const recv = await receiver(ctx, 'receiver.db');
  const url = `${recv.url}/api/v1/webhooks/onboard`;
  const rss = sampleRss(recv.child.pid!);
  const unique = await loadUnique(url, 'uniq', 15000, auth(ctx));
  const dupBody = uniqueEvent('dup');
  const duplicate = await load({ url, method: 'POST', headers: auth(ctx), body: dupBody, durationSeconds: 5 });
  const rejected = await load({ url, method: 'POST', headers: { ...JSON_HEADERS, 'x-webhook-secret': `${ctx.secret}-wrong` }, body: dupBody, durationSeconds: 5 });
  const rssMb = rss.stop();
  await recv.stop();
  const file = join(ctx.dir, 'receiver.db');
  return {
    unique,
    duplicate,
    rejected,
    rssMb,
    uniqueRows: countRows(file, "SELECT count(*) AS n FROM webhook_events WHERE session_id LIKE 'uniq-%'"),
    uniqueTickets: countRows(file, "SELECT count(*) AS n FROM tickets WHERE session_id LIKE 'uniq-%'"),
  };
}

/** Row 6 and end to end: the emitter's accept with Ops up, then portal → committed at Ops, paced and flat out. */
export async function emitterWithOps(ctx: BenchContext) {
  const ops = await receiver(ctx, 'ops-live.db');
  const emit = await emitter(ctx, 'emitter-live.db', Number(new URL(ops.url).port));
  const emitRss = sampleRss(emit.child.pid!);
  const opsRss = sampleRss(ops.child.pid!);
  const drained = async () => {
    while ((await emitterBacklog(emit)) > 0) await sleep(100);
  };
  const accept = await loadUnique(`${emit.url}/v1/events`, 'acc', 10000, PORTAL);
  await drained();
  // End to end at a steady 10 events/s (far above the 10-50 onboardings a day it serves)…
  for (let i = 0; i < 200; i++) {
    const sent = Date.now();
    await fetch(`${emit.url}/v1/events`, { method: 'POST', headers: PORTAL, body: uniqueEvent('pace') });
    await sleep(Math.max(0, 100 - (Date.now() - sent)));
  }
  await drained();
  // …and flat out with 4 portal workers in flight.
  const paced = await loadUnique(`${emit.url}/v1/events`, 'e2e', 400, PORTAL, 4);
  await drained();
  const emitterRssMb = emitRss.stop();
  const opsRssMb = opsRss.stop();
  await emit.stop();
  await ops.stop();
  const latencies = (prefix: string) =>
    queryFile<{ ms: number }>(
      join(ctx.dir, 'emitter-live.db'),
      `SELECT delivered_at - created_at AS ms FROM outbox_messages WHERE session_id LIKE '${prefix}-%' AND status = 'delivered'`,
    ).map((r) => r.ms);
  return { accept, paced, e2e: latencies('pace'), e2eLoaded: latencies('e2e'), emitterRssMb, opsRssMb };
}

/** Row 7: 5,000 events accepted while Ops is down, then Ops starts; how long the backlog takes, and whether each arrived once. */
export async function backlogDrain(ctx: BenchContext) {
  const opsPort = await freePort();
  const drainEmitter = await emitter(ctx, 'emitter-drain.db', opsPort);
  const rss = sampleRss(drainEmitter.child.pid!);
  const accepted = await loadUnique(`${drainEmitter.url}/v1/events`, 'drain', 5000, PORTAL);
  // Let the fast tries (1 s, 3 s, 9 s) run out, so the backlog sits on the slow schedule.
  await sleep(15_000);
  const opsBack = await receiver(ctx, 'ops-drain.db', { PORT: String(opsPort) });
  const backAt = Date.now();
  let pending = await emitterBacklog(drainEmitter);
  while (pending > 0 && Date.now() - backAt < 120_000) {
    await sleep(100);
    pending = await emitterBacklog(drainEmitter);
  }
  const seconds = (Date.now() - backAt) / 1000;
  const rssMb = rss.stop();
  await drainEmitter.stop();
  await opsBack.stop();
  const outbox = join(ctx.dir, 'emitter-drain.db');
  const firstDelivered = queryFile<{ t: number }>(outbox, 'SELECT min(delivered_at) AS t FROM outbox_messages')[0]!.t;
  return {
    accepted,
    seconds,
    afterFirstDelivery: (backAt + seconds * 1000 - firstDelivered) / 1000,
    rssMb,
    rows: countRows(join(ctx.dir, 'ops-drain.db'), 'SELECT count(*) AS n FROM webhook_events'),
    repeats: countRows(outbox, "SELECT count(*) AS n FROM delivery_attempts WHERE outcome = 'delivered' AND status_code != 201"),
  };
}
