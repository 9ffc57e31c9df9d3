/**
 * Benchmark baseline: the receiver's intake served "the plain way" — @hono/node-server in Node,
 * @libsql/client on a `file:` database in the same process, no workerd and no libSQL endpoint —
 * with the same checks (secret header, JSON content type, bounded body, catalog validation) and
 * the same services and SQL (`intakeEvent`: one atomic batch per webhook).
 * Usage: node --import tsx scripts/bench/baseline-receiver.ts <db-file> (WEBHOOK_SECRET in the
 * environment). Prints `{"msg":"listening","url":…}` like the host.
 */
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { Hono } from 'hono';
import type { Db } from '../../db/connection';
import { RECEIVER_CONFIG } from '../../functions/receiver/config';
import { authenticateHeaders } from '../../functions/receiver/services/authenticate';
import { intakeEvent } from '../../functions/receiver/services/intake';
import { loadConfig } from '../../functions/shared/config';
import { parseOnboardingEvent } from '../../functions/shared/event-catalog';
import { createLogger } from '../../functions/shared/logger';
import { apiError, errorHandler } from '../../functions/shared/http-errors';
import { assertJsonContentType, parseJson, readBodyText, validationFailed } from '../../functions/shared/json-request';
import { ROOT } from '../../host/project.mjs';
import { applyMigrations } from '../../host/sqlite';

const file = process.argv[2];
if (!file) throw new Error('usage: baseline-receiver.ts <db-file>');
const url = `file:${file}`;
const config = loadConfig(RECEIVER_CONFIG, { ...process.env, DATABASE_URL: url });
await applyMigrations(url, undefined, join(ROOT, 'db/receiver/migrations'));
const client = createClient({ url, intMode: 'number' });
await client.execute('PRAGMA journal_mode = WAL');
await client.execute('PRAGMA synchronous = FULL');
await client.execute('PRAGMA busy_timeout = 5000');
const db = drizzle({ client }) as unknown as Db;

const app = new Hono();
app.onError(errorHandler(() => createLogger('error')));
app.post('/api/v1/webhooks/onboard', async function receive(c) {
  const auth = await authenticateHeaders(c.req.raw.headers, config, false);
  if (!auth.ok) throw apiError(401, 'unauthorized', 'authentication failed');
  assertJsonContentType(c.req.raw);
  const parsed = parseOnboardingEvent(parseJson(await readBodyText(c.req.raw, config.MAX_BODY_BYTES)), c.req.header('x-onboarding-session'));
  if (!parsed.ok) throw validationFailed(parsed.issues);
  const outcome = await intakeEvent(db, parsed.event, c.req.header('webhook-id') ?? null);
  if (outcome.conflict) throw apiError(409, 'webhook_id_conflict', 'webhook-id already used for another event');
  return c.json({ event_id: outcome.eventId, ticket_id: outcome.ticketId, duplicate: !outcome.created }, outcome.created ? 201 : 200);
});

const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) =>
  console.log(JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${info.port}` })),
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
