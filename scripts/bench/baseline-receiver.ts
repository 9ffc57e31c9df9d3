/**
 * Benchmark baseline: the best plain implementation of the receiver's intake we could write — one
 * Node process, @hono/node-server, and the SQLite file opened in-process with libSQL's synchronous
 * API (prepared statements cached, WAL, the same `synchronous` level as the row it is compared
 * with). Same checks (secret header, JSON content type, bounded UTF-8 body, catalog validation),
 * same ticket policy, and exactly the same SQL (`intakeStatements`), one transaction per webhook.
 * What it does not have: workerd, the libSQL protocol hop, group commit.
 * Usage: node --import tsx scripts/bench/baseline-receiver.ts <db-file> (WEBHOOK_SECRET and
 * optionally SQLITE_SYNCHRONOUS in the environment). Prints `{"msg":"listening","url":…}` like the host.
 */
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Statement as IntakeStatement } from '../../db/connection';
import { intakeStatements, outcomeOf } from '../../db/receiver/intake';
import { RECEIVER_CONFIG } from '../../functions/receiver/config';
import { authenticateHeaders } from '../../functions/receiver/webhook-auth/credentials';
import { toNewEvent } from '../../functions/receiver/intake/intake-event';
import { planTicket } from '../../functions/receiver/intake/ticket-policy';
import { loadConfig } from '../../functions/platform/settings/config';
import { parseOnboardingEvent } from '../../functions/contract/event-catalog';
import { apiError, errorHandler } from '../../functions/platform/http/http-errors';
import { assertJsonContentType, parseJson, readBodyText, validationFailed } from '../../functions/platform/http/json-request';
import { createLogger } from '../../functions/platform/logger';
import { ROOT } from '../../host/project.mjs';
import { applyMigrations } from '../../host/migrations';
import { openSqlite } from '../../host/sqlite';

const file = process.argv[2];
if (!file) throw new Error('usage: baseline-receiver.ts <db-file>');
const config = loadConfig(RECEIVER_CONFIG, { ...process.env, DATABASE_URL: `file:${file}` });
await applyMigrations(`file:${file}`, undefined, join(ROOT, 'db/receiver/migrations'));
const sqlite = openSqlite(file, process.env.SQLITE_SYNCHRONOUS === 'NORMAL' ? 'NORMAL' : 'FULL');

type Statement = ReturnType<typeof sqlite.prepare>;
const prepared = new Map<string, Statement>();
const statement = (sql: string) => prepared.get(sql) ?? prepared.set(sql, sqlite.prepare(sql)).get(sql)!;

/** One intake in one transaction; returns the row the last statement read back. */
const runIntake = sqlite.transaction((statements: IntakeStatement[]) => {
  let row: Record<string, unknown> | undefined;
  for (const { sql, args } of statements) {
    const stmt = statement(sql);
    if (stmt.reader) row = stmt.get(args) as Record<string, unknown> | undefined;
    else stmt.run(args);
  }
  return row;
});

const app = new Hono();
app.onError(errorHandler(() => createLogger('error')));
app.post('/api/v1/webhooks/onboard', async function receive(c) {
  const auth = await authenticateHeaders(c.req.raw.headers, config, false);
  if (!auth.ok) throw apiError(401, 'unauthorized', 'authentication failed');
  assertJsonContentType(c.req.raw);
  const parsed = parseOnboardingEvent(parseJson(await readBodyText(c.req.raw, config.MAX_BODY_BYTES)), c.req.header('x-onboarding-session'));
  if (!parsed.ok) throw validationFailed(parsed.issues);
  const intakeId = crypto.randomUUID();
  const statements = intakeStatements(toNewEvent(parsed.event, c.req.header('webhook-id') ?? null), planTicket(parsed.event), intakeId, Date.now());
  const outcome = outcomeOf(runIntake(statements), intakeId);
  if (outcome.conflict) throw apiError(409, 'webhook_id_conflict', 'webhook-id already used for another event');
  return c.json({ event_id: outcome.eventId, ticket_id: outcome.ticketId, duplicate: !outcome.created }, outcome.created ? 201 : 200);
});

const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) =>
  console.log(JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${info.port}` })),
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
