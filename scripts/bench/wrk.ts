/**
 * Load from wrk (a C load generator, Debian package `wrk`) where it is installed: it spends a
 * fraction of autocannon's CPU on the same 2 cores, so the service under test gets nearer the whole
 * machine and the figures compare with the issue's. Each request carries an `account.created` event
 * for a session never used before, built by a Lua script per wrk thread. Without wrk on PATH the
 * bench falls back to autocannon and says so in its output.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadResult } from './measure';

/** Whether `wrk` runs here. */
export function hasWrk(): boolean {
  return spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
}

/** The Lua script: unique sessions per thread and request, figures printed as one JSON line. */
function script(prefix: string, headers: Record<string, string>): string {
  const headerLines = Object.entries(headers)
    .map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`)
    .join('\n');
  return `
wrk.method = "POST"
${headerLines}
local next_id = 0
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end
local counter = 0
local run = ${JSON.stringify(`${prefix}-${Date.now().toString(36)}`)}
function request()
  counter = counter + 1
  local s = run .. "-" .. tid .. "-" .. counter
  return wrk.format(nil, nil, nil, '{"event":"account.created","domain":"' .. s .. '.example.com","session_id":"' .. s .. '","data":{"admin_email":"admin@example.com"}}')
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests":%d,"duration_us":%d,"non2xx":%d,"errors":%d,"p50_us":%d,"p99_us":%d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`;
}

/** Runs wrk with 2 threads for `durationSeconds`, each request a new `account.created` event. */
export async function wrkEvents(options: { url: string; headers: Record<string, string>; prefix: string; connections: number; durationSeconds: number }): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'ops-webhook-wrk-'));
  const file = join(dir, 'events.lua');
  writeFileSync(file, script(options.prefix, options.headers));
  const child = spawn('wrk', ['-t2', `-c${options.connections}`, `-d${options.durationSeconds}s`, '--timeout', '10s', '-s', file, options.url], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
  const line = out.split('\n').find((l) => l.startsWith('{"requests"'));
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}): ${out.slice(-500)}`);
  const r = JSON.parse(line) as { requests: number; duration_us: number; non2xx: number; errors: number; p50_us: number; p99_us: number };
  const seconds = r.duration_us / 1e6;
  return {
    rps: Math.round(r.requests / seconds),
    p50: Math.round(r.p50_us / 100) / 10,
    p99: Math.round(r.p99_us / 100) / 10,
    ok2xx: r.requests - r.non2xx,
    non2xx: r.non2xx,
    errors: r.errors,
    requests: r.requests,
    seconds: Math.round(seconds * 10) / 10,
  };
}
