/** The receipts statement looks every asked key up through the receiver's unique key index (EXPLAIN QUERY PLAN on a migrated file). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/libsql';
import { afterAll, describe, expect, it } from 'vitest';
import { unrecordedKeysQuery } from '../../db/receiver/receipts';
import { applyMigrations } from '../../host/migrations';
import { ROOT } from '../../host/project.mjs';

const dir = mkdtempSync(join(tmpdir(), 'ops-webhook-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('receipts query plan', () => {
  it('searches webhook_events by its key index, never scans it', async () => {
    const url = `file:${join(dir, 'plan.db')}`;
    await applyMigrations(url, undefined, join(ROOT, 'db/receiver/migrations'));
    const client = createClient({ url });
    try {
      const db = drizzle({ client });
      const keys = Array.from({ length: 3 }, (_, i) => ({ event: 'account.created', sessionId: `s${i}`, domain: 'example.com' }));
      const plan = (await db.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${unrecordedKeysQuery(keys)}`)).map((r) => r.detail);
      expect(plan.some((d) => /SEARCH w USING (COVERING )?INDEX webhook_events_key_unique/.test(d)), plan.join('\n')).toBe(true);
      expect(plan.some((d) => /SCAN w\b/.test(d)), plan.join('\n')).toBe(false);
    } finally {
      client.close();
    }
  });
});
