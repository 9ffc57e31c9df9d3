/**
 * Benchmark baseline: the same receiver app (routes, services, queries) served "the plain way",
 * by @hono/node-server in Node with @libsql/client on a `file:` database — no workerd, no
 * libSQL endpoint. Usage: node --import tsx scripts/bench/baseline-receiver.ts <db-file>
 * (WEBHOOK_SECRET in the environment). Prints `{"msg":"listening","url":…}` like the launcher.
 */
import { serve } from '@hono/node-server';
import { createClient } from '@libsql/client';
import app from '../../functions/receiver/index';
import { applyMigrations } from '../serve/sqlite';
import { ROOT } from '../serve/functions';
import { join } from 'node:path';

const file = process.argv[2];
if (!file) throw new Error('usage: baseline-receiver.ts <db-file>');
const url = `file:${file}`;
await applyMigrations(url, undefined, join(ROOT, 'db/receiver/migrations'));
const client = createClient({ url, intMode: 'number' });
await client.execute('PRAGMA journal_mode = WAL');
await client.execute('PRAGMA synchronous = FULL');
await client.execute('PRAGMA busy_timeout = 5000');

const env = {
  WEBHOOK_SECRET: process.env.WEBHOOK_SECRET,
  LOG_LEVEL: 'error',
  DATABASE_URL: url,
  DB_CLIENT: client,
};
const server = serve({ fetch: (request) => app.fetch(request, env), hostname: '127.0.0.1', port: 0 }, (info) =>
  console.log(JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${info.port}` })),
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
