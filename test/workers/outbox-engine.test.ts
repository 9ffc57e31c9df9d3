/**
 * The outbox engine with a second user besides the emitter's deliveries: an outbox of its own
 * (its own tables, no ordering key, its own peer and reading of answers), driven on an injected
 * clock. What the receiver's notifications will be, in miniature.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../db/connection';
import type { OutboxRow, OutboxTables } from '../../db/outbox/outbox-tables';
import { deliverMessage, sweepOutbox, type OutboxChannel, type OutboxDeps } from '../../functions/platform/outbox/engine';
import { createLogger } from '../../functions/platform/logger';

const TABLES: OutboxTables = {
  messages: 'test_notes',
  attempts: 'test_note_attempts',
  state: 'test_note_state',
  inOrderOf: [],
  keys: { reachable: 'peer_reachable', lastProbeAt: 'last_probe_at' },
};

interface Note extends OutboxRow {
  text: string;
}

const db: Db = openDatabase({ ...(env as unknown as Record<string, unknown>), LIBSQL: (env as unknown as { EMITTER_LIBSQL: Fetcher }).EMITTER_LIBSQL, DATABASE_URL: 'file:test' });
/** A clock that moves only when the test moves it: what is due is decided by the test alone. */
const clock = (() => {
  let at = Date.parse('2026-12-01T12:00:00Z');
  return { now: () => at, advance: (ms: number) => void (at += ms) };
})();
const deps: OutboxDeps = { db, logger: createLogger('error'), now: clock.now, random: () => 0.5 };

/** A channel whose peer answers each note's scripted statuses in turn (then 200). */
function channel(script: Record<string, number[]>, sent: string[]): OutboxChannel<Note> {
  return {
    tables: TABLES,
    fromRow: (row) => ({
      seq: Number(row.seq), id: String(row.id), status: String(row.status), attempts: Number(row.attempts), scheduleIndex: Number(row.schedule_index),
      nextAttemptAt: Number(row.next_attempt_at), notBefore: row.not_before === null ? null : Number(row.not_before), leaseUntil: row.lease_until === null ? null : Number(row.lease_until), text: String(row.text),
    }),
    schedule: [1000, 3000],
    leaseMs: 10_000,
    concurrency: 4,
    // No recovery probes here: each sweep sends only what the schedule makes due.
    probeIntervalMs: Number.MAX_SAFE_INTEGER,
    retention: { statuses: ['delivered'], afterMs: 86_400_000, batch: 100 },
    peer: 'the chat server',
    interpret: (result) => (result.kind === 'response' && result.status === 409 ? { hold: 'held: not yet' } : undefined),
    async send(note) {
      sent.push(note.id);
      const status = script[note.id]?.shift() ?? 200;
      return { result: { kind: 'response', status, retryAfter: null }, body: `answer ${status}` };
    },
    logAttempt: () => undefined,
  };
}

async function addNote(id: string): Promise<void> {
  await db.$client.execute({ sql: `INSERT INTO test_notes (id, status, next_attempt_at, created_at, updated_at, text) VALUES (:id, 'pending', :now, :now, :now, :id)`, args: { id, now: clock.now() } });
}

const noteState = async (id: string) =>
  (await db.$client.execute({ sql: 'SELECT status, attempts, last_error FROM test_notes WHERE id = :id', args: { id } })).rows[0] as unknown as { status: string; attempts: number; last_error: string | null };

beforeAll(async () => {
  await db.$client.batch(
    [
      `CREATE TABLE IF NOT EXISTS test_notes (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
        schedule_index INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL, not_before INTEGER, lease_until INTEGER, last_status INTEGER, last_error TEXT,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, delivered_at INTEGER, requeued_by TEXT, text TEXT NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS test_note_attempts (id INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL, attempt_no INTEGER NOT NULL, trigger TEXT NOT NULL,
        started_at INTEGER NOT NULL, duration_ms INTEGER NOT NULL, status_code INTEGER, error TEXT, response_body TEXT, outcome TEXT NOT NULL, next_attempt_at INTEGER)`,
      'CREATE TABLE IF NOT EXISTS test_note_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)',
    ],
    'write',
  );
});

describe('the outbox engine, with an outbox of its own', () => {
  it('sends what is due, retries on its own schedule, and makes a note dead past it or at a refusal, naming the peer', async () => {
    const sent: string[] = [];
    const notes = channel({ 'n-dead': [500, 500, 500], 'n-refused': [422] }, sent);
    await addNote('n-dead');
    expect(await sweepOutbox(notes, deps)).toMatchObject({ delivered: 0, retrying: 1, dead: 0 });
    clock.advance(999);
    expect(await sweepOutbox(notes, deps)).toMatchObject({ delivered: 0, retrying: 0, dead: 0 });
    clock.advance(1);
    expect(await sweepOutbox(notes, deps)).toMatchObject({ retrying: 1 });
    clock.advance(3000);
    expect(await sweepOutbox(notes, deps)).toMatchObject({ dead: 1 });
    expect(await noteState('n-dead')).toMatchObject({ status: 'dead', attempts: 3 });
    await addNote('n-refused');
    expect(await sweepOutbox(notes, deps)).toMatchObject({ dead: 1 });
    expect(await noteState('n-refused')).toMatchObject({ status: 'dead', attempts: 1, last_error: 'the chat server refused the message with HTTP 422' });
    expect(sent).toEqual(['n-dead', 'n-dead', 'n-dead', 'n-refused']);
  });

  it('holds what its own reading says to hold, past the end of the schedule, and sends it when the peer takes it', async () => {
    const sent: string[] = [];
    const notes = channel({ 'n-held': [409, 409, 409, 409] }, sent);
    await addNote('n-held');
    const [row] = (await db.$client.execute({ sql: "SELECT * FROM test_notes WHERE id = 'n-held'", args: {} })).rows as unknown as Record<string, unknown>[];
    expect(await deliverMessage(notes, deps, notes.fromRow(row!), 'sweep')).toBe('retry');
    for (let i = 0; i < 4; i++) {
      clock.advance(60_000);
      await sweepOutbox(notes, deps);
    }
    expect(await noteState('n-held')).toMatchObject({ status: 'delivered', attempts: 5 });
  });
});
