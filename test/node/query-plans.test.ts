/**
 * Every statement of the hot paths and of the reads the sweep makes every second finds its rows
 * through an index (EXPLAIN QUERY PLAN on migrated files): the receiver's intake (both ticket
 * plans) and receipts, the emitter's acceptance, claims, attempt record and backlog.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/libsql';
import { afterAll, describe, expect, it } from 'vitest';
import type { Db, Statement } from '../../db/connection';
import { acceptStatements } from '../../db/emitter/accept';
import { attemptStatements } from '../../db/emitter/attempts';
import { backlogQuery } from '../../db/emitter/backlog';
import { claimStatement } from '../../db/emitter/claims';
import { intakeStatements } from '../../db/receiver/intake';
import { unrecordedKeysQuery } from '../../db/receiver/receipts';
import { applyMigrations } from '../../host/migrations';
import { ROOT } from '../../host/project.mjs';

const dir = mkdtempSync(join(tmpdir(), 'ops-webhook-plan-'));
const clients: Client[] = [];
afterAll(() => {
  for (const client of clients) client.close();
  rmSync(dir, { recursive: true, force: true });
});

async function migrated(name: 'receiver' | 'emitter'): Promise<Client> {
  const url = `file:${join(dir, `${name}.db`)}`;
  await applyMigrations(url, undefined, join(ROOT, `db/${name}/migrations`));
  const client = createClient({ url });
  clients.push(client);
  return client;
}

/** The plan's lines for `statement`. */
async function planOf(client: Client, statement: { sql: string; args: Statement['args'] | unknown[] }): Promise<string[]> {
  const result = await client.execute({ sql: `EXPLAIN QUERY PLAN ${statement.sql}`, args: statement.args as Statement['args'] });
  return result.rows.map((r) => String(r.detail));
}

/**
 * A line that reads a whole table: a SCAN of a table, not of a constant row, of a subquery (the
 * backlog's one-row `(SELECT 1)`) or of an index that covers the statement.
 */
const TABLE_SCAN = /^SCAN (?!CONSTANT ROW)(?!\(subquery-\d+\))(?!.*USING COVERING INDEX)/;

describe('query plans', () => {
  it('finds every row of an intake by an index, for a ticket opened and for a timeline event', async () => {
    const client = await migrated('receiver');
    const event = { eventType: 'account.created', sessionId: 's1', domain: 'example.com', webhookId: 'msg_1', occurredAt: null, data: '{}' };
    for (const plan of [{ action: 'open', priority: 'normal', subject: 'subject' }, { action: 'link' }] as const) {
      for (const statement of intakeStatements(event, plan, 'intake-1', 1)) {
        const lines = await planOf(client, statement);
        expect(lines.filter((l) => TABLE_SCAN.test(l)), `${statement.sql}\n${lines.join('\n')}`).toEqual([]);
      }
    }
  });

  it('searches webhook_events for receipts by its key index, never scans it', async () => {
    const db = drizzle({ client: await migrated('receiver') });
    const keys = Array.from({ length: 3 }, (_, i) => ({ event: 'account.created', sessionId: `s${i}`, domain: 'example.com' }));
    const plan = (await db.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${unrecordedKeysQuery(keys)}`)).map((r) => r.detail);
    expect(plan.some((d) => /SEARCH w USING (COVERING )?INDEX webhook_events_key_unique/.test(d)), plan.join('\n')).toBe(true);
    expect(plan.some((d) => /SCAN w\b/.test(d)), plan.join('\n')).toBe(false);
  });

  it("finds the emitter's rows by an index when it accepts, claims, records an attempt and reads the backlog", async () => {
    const client = await migrated('emitter');
    const message = { id: 'msg_1', eventType: 'account.created', sessionId: 's1', domain: 'example.com', payload: '{}', status: 'pending' as const };
    const attempt = {
      trigger: 'sweep',
      startedAt: 1,
      durationMs: 5,
      statusCode: 503,
      error: null,
      responseBody: null,
      outcome: 'retry' as const,
      nextAttemptAt: 2,
      scheduleIndex: 1,
      notBefore: null,
    };
    const backlog = backlogQuery(drizzle({ client }) as unknown as Db, 1).toSQL();
    const statements = [
      ...acceptStatements(message, 1, 1000),
      claimStatement({ kind: 'due', limit: 16 }, 1, 1000),
      claimStatement({ kind: 'one', id: 'msg_1' }, 1, 1000),
      claimStatement({ kind: 'probe' }, 1, 1000),
      ...attemptStatements({ id: 'msg_1', attempts: 0 }, attempt, 1, true),
      ...attemptStatements({ id: 'msg_1', attempts: 0 }, attempt, 1, false),
      { sql: backlog.sql, args: backlog.params },
    ];
    for (const statement of statements) {
      const lines = await planOf(client, statement);
      expect(lines.filter((l) => TABLE_SCAN.test(l)), `${statement.sql}\n${lines.join('\n')}`).toEqual([]);
    }
  });
});
