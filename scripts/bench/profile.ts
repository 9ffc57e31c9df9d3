/**
 * `npm run bench -- profile`: where a delivery's CPU goes. Runs the receiver with workerd's
 * inspector on loopback (WORKERD_INSPECTOR_ADDR) and the host under `node --cpu-prof`, sends
 * 6,000 unique deliveries at 32 connections, and prints each process's self time by the package or
 * project folder it is spent in (profiles in DevTools format are kept in the bench folder).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { ROOT } from '../../host/project.mjs';
import { freePort, startServe } from '../support/serve-process';
import { load, uniqueEvent, type LoadResult } from './measure';
import { hasWrk, wrkEvents } from './wrk';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * For each line of a bundle, the source file its first mapping points at (from the bundle's source
 * map), so a profile of the bundled worker can be told by package and project folder.
 */
export function sourcesByLine(map: { sources: string[]; mappings: string }): (string | undefined)[] {
  let source = 0;
  return map.mappings.split(';').map((line) => {
    let first: number | undefined;
    for (const segment of line.split(',').filter(Boolean)) {
      const values: number[] = [];
      let value = 0;
      let shift = 0;
      for (const char of segment) {
        const digit = BASE64.indexOf(char);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          values.push(value & 1 ? -(value >> 1) : value >> 1);
          value = 0;
          shift = 0;
        }
      }
      if (values.length >= 2) {
        source += values[1]!;
        first ??= source;
      }
    }
    return first === undefined ? undefined : map.sources[first];
  });
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per place: an npm package, a project folder, V8 internals, or idle. */
function placeOf(url: string, fn: string): string {
  if (!url) return fn === '(idle)' ? '(idle)' : fn.startsWith('(') ? fn : '(native/V8)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  const own = /(functions\/[^/]+|db|host|scripts)\//.exec(url)?.[1];
  if (own) return own;
  if (url.startsWith('node:')) return 'node:internal';
  return url.split('/').slice(-1)[0]!;
}

/** Self time per place (`by: 'place'`) or per function and the file it is in (`by: 'function'`). */
export function breakdown(profile: CpuProfile, bundleSources?: (string | undefined)[], by: 'place' | 'function' = 'place'): { place: string; ms: number; share: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    const { url, functionName, lineNumber } = node.callFrame;
    const mapped = bundleSources && url.endsWith('index.js') ? bundleSources[lineNumber] : undefined;
    const where = placeOf(mapped ?? url, functionName);
    const file = (mapped ?? url).split('/').slice(-2).join('/');
    const place = by === 'place' || where === '(idle)' ? where : `${functionName || '(anonymous)'} ${file || where}`;
    totals.set(place, (totals.get(place) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const busy = [...totals].filter(([p]) => p !== '(idle)').reduce((s, [, t]) => s + t, 0);
  return [...totals]
    .filter(([p]) => p !== '(idle)')
    .map(([place, us]) => ({ place, ms: Math.round(us / 1000), share: Math.round((us / busy) * 1000) / 10 }))
    .sort((a, b) => b.ms - a.ms);
}

/** Talks the DevTools protocol to `addr` and resolves with a CPU profile taken while `work` runs. */
async function profileInspector(addr: string, work: () => Promise<unknown>): Promise<CpuProfile> {
  const targets = (await (await fetch(`http://${addr}/json`)).json()) as { webSocketDebuggerUrl: string }[];
  const socket = new WebSocket(targets[0]!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let id = 0;
  const call = (method: string, params: object = {}) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const mine = ++id;
      const onMessage = (data: WebSocket.RawData) => {
        const message = JSON.parse(String(data)) as { id?: number; result?: Record<string, unknown> };
        if (message.id === mine) {
          socket.off('message', onMessage);
          resolve(message.result ?? {});
        }
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id: mine, method, params }));
    });
  await call('Profiler.enable');
  await call('Profiler.setSamplingInterval', { interval: 200 });
  await call('Profiler.start');
  await work();
  const { profile } = (await call('Profiler.stop')) as { profile: CpuProfile };
  socket.close();
  return profile;
}

export async function profileReceiver(dir: string, secret: string, synchronous: 'FULL' | 'NORMAL' = 'FULL'): Promise<string[]> {
  const inspector = `127.0.0.1:${await freePort()}`;
  const proc = await startServe(
    'receiver',
    { WEBHOOK_SECRET: secret, DATABASE_URL: `file:${join(dir, 'profile.db')}`, WORKERD_INSPECTOR_ADDR: inspector, NODE_ENV: 'development', LOG_LEVEL: 'error', SQLITE_SYNCHRONOUS: synchronous },
    90_000,
    ['--cpu-prof', `--cpu-prof-dir=${join(dir, 'host-profile')}`],
  );
  const url = `${proc.url}/api/v1/webhooks/onboard`;
  const headers = { 'content-type': 'application/json', 'x-webhook-secret': secret };
  let result!: LoadResult;
  const workerdProfile = await profileInspector(inspector, async () => {
    result = hasWrk()
      ? await wrkEvents({ url, headers, prefix: 'profile', connections: 32, durationSeconds: 10 })
      : await load({ url, method: 'POST', headers, body: () => uniqueEvent('profile'), amount: 6000, connections: 32 });
  });
  const n = result.ok2xx;
  await proc.stop();
  writeFileSync(join(dir, 'workerd.cpuprofile'), JSON.stringify(workerdProfile));
  const hostFile = readdirSync(join(dir, 'host-profile')).find((f) => f.endsWith('.cpuprofile'))!;
  const hostProfile = JSON.parse(readFileSync(join(dir, 'host-profile', hostFile), 'utf8')) as CpuProfile;
  const bundleSources = sourcesByLine(JSON.parse(readFileSync(join(ROOT, 'dist/receiver/index.js.map'), 'utf8')) as { sources: string[]; mappings: string });
  const lines = (title: string, profile: CpuProfile, sources?: (string | undefined)[]) =>
    (['place', 'function'] as const).flatMap((by) => [
      `${title}, by ${by} (self time while busy, ${n} deliveries):`,
      ...breakdown(profile, sources, by)
        .slice(0, by === 'place' ? 12 : 20)
        .map((r) => `  ${r.place.slice(0, 60).padEnd(60)} ${String(r.ms).padStart(6)} ms  ${String(r.share).padStart(5)} %  ${((r.ms / n) * 1000).toFixed(0).padStart(5)} µs/delivery`),
    ]);
  return [`synchronous=${synchronous}: ${result.rps} req/s, p99 ${result.p99} ms (at FULL the host's self time includes waiting on fsync: wall time, not CPU)`, ...lines('workerd (the worker)', workerdProfile, bundleSources), ...lines('host (Node: libSQL endpoint, group commit)', hostProfile), `profiles kept in ${dir}`];
}
