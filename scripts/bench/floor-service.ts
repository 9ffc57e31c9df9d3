/**
 * Benchmark floor: the least any service of this design can cost per event, so the receiver's
 * figures can be read against what the design itself spends. A Node process (like the host)
 * answers a canned libSQL pipeline result on a Unix socket, and starts workerd (the production
 * binary, the same config generator, the same V8 flags) with one of two workers:
 * - `request`: reads the body and answers 201 with a small JSON object;
 * - `hop`: also parses the body and makes the one round trip to its database that an intake
 *   needs (POST /v2/pipeline through the LIBSQL binding, a body the size of the receiver's batch),
 *   then answers 201 with JSON.
 * No validation, no SQL, no logging. Usage: node dist/bench-floor.mjs request|hop <work-dir>; prints
 * `{"msg":"listening","url":…}` like the host, and stops workerd on SIGTERM.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_V8_FLAGS } from '../../host/host-settings';
import { renderWorkerdConfig } from '../../host/workerd/config';
import { readCompatibility } from '../../host/wrangler-toml';
import { spawnWorkerd } from '../../host/workerd/supervisor';

const WORKERS = {
  request: `export default {
  async fetch(request) {
    await request.text();
    return Response.json({ event_id: 1, ticket_id: 1, duplicate: false }, { status: 201 });
  },
};`,
  hop: `const FILLER = 'x'.repeat(1400); // the receiver's intake batch is about 1.5 KB of JSON
export default {
  async fetch(request, env) {
    const event = JSON.parse(await request.text());
    const pipeline = { baton: null, requests: [{ type: 'batch', batch: { steps: [{ stmt: { sql: FILLER, args: [{ type: 'text', value: event.session_id }] } }] } }, { type: 'close' }] };
    const res = await env.LIBSQL.fetch('http://libsql.internal/v2/pipeline', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(pipeline) });
    const answer = await res.json();
    return Response.json({ event_id: answer.results.length, ticket_id: 1, duplicate: false }, { status: 201 });
  },
};`,
} as const;

/** What the host would answer for one batch: a result row per step, then the close. */
const CANNED = JSON.stringify({
  baton: null,
  base_url: null,
  results: [
    { type: 'ok', response: { type: 'batch', result: { step_results: [{ cols: [{ name: 'id', decltype: 'INTEGER' }], rows: [[{ type: 'integer', value: '1' }]], affected_row_count: 1, last_insert_rowid: '1', rows_read: 1, rows_written: 1, query_duration_ms: 0 }], step_errors: [null] } } },
    { type: 'ok', response: { type: 'close' } },
  ],
});

const kind = process.argv[2] as keyof typeof WORKERS;
const dir = process.argv[3];
if (!(kind in WORKERS) || !dir) throw new Error('usage: floor-service.ts request|hop <work-dir>');

const socket = join(dir, `floor-${kind}.sock`);
const database = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(CANNED));
});
await new Promise<void>((resolve) => database.listen(socket, resolve));

const bundle = join(dir, `floor-${kind}.js`);
writeFileSync(bundle, WORKERS[kind]);
const configPath = join(dir, `floor-${kind}.capnp`);
const { date, flags } = readCompatibility();
writeFileSync(
  configPath,
  renderWorkerdConfig({
    configDir: dir,
    bundle,
    host: '127.0.0.1',
    port: 0,
    compatibilityDate: date,
    compatibilityFlags: flags,
    text: {},
    fromEnvironment: [],
    database: { unixSocket: socket },
    outbound: false,
    v8Flags: (process.env.WORKERD_V8_FLAGS ?? DEFAULT_V8_FLAGS).split(' ').filter(Boolean),
  }),
);
let workerd!: ChildProcess;
const port = await new Promise<number>((resolve) => (workerd = spawnWorkerd(configPath, {}, resolve)));
console.log(JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${port}` }));
process.on('SIGTERM', () => {
  workerd.kill('SIGTERM');
  workerd.on('exit', () => process.exit(0));
});
