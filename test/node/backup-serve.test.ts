/**
 * The data lifecycle as an operator lives it, with the real host: scheduled and on-demand online
 * backups, the restore drill after a kill -9 on both sides, and deduplication across retention.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import Database from 'libsql';
import { EMITTER_AUTH } from '../support/test-env';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../host/project.mjs';
import { servingMarker, servingPid } from '../../host/serving-marker';
import { makeEvent, type EventBody } from '../support/factories';
import { serveFixture } from '../support/serve-fixture';
import { waitFor } from '../support/wait';
import { freePort, type ServeProcess } from '../../scripts/support/serve-process';

const SECRET = `backup-${crypto.randomUUID()}-${crypto.randomUUID()}`;
const fx = serveFixture('backup');
const ONBOARD = '/api/v1/webhooks/onboard';

/** Runs `npm run <script> -- args` (without npm's wrapper) with `env`; resolves with its exit code and output. */
async function run(script: 'backup' | 'restore', args: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

function deliver(url: string, event: EventBody): Promise<Response> {
  return fetch(`${url}${ONBOARD}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-webhook-secret': SECRET }, body: JSON.stringify(event) });
}


const count = (db: string, sql: string) => fx.query<{ n: number }>(db, sql)[0]!.n;

describe('backups (black box)', () => {
  it('takes them on a schedule while serving, keeps BACKUP_KEEP of them, and reports the newest in /healthz and /metrics', async () => {
    const dir = fx.file('scheduled-backups');
    const proc = await fx.serve('receiver', {
      WEBHOOK_SECRET: SECRET,
      DATABASE_URL: `file:${fx.file('scheduled.db')}`,
      BACKUP_DIR: dir,
      BACKUP_INTERVAL: '1s',
      BACKUP_KEEP: '2',
    });
    expect((await deliver(proc.url, makeEvent())).status).toBe(201);
    await waitFor(() => existsSync(dir) && readdirSync(dir).filter((f) => f.endsWith('.db')).length === 2);
    await new Promise((r) => setTimeout(r, 2500));
    expect(readdirSync(dir).filter((f) => f.endsWith('.db'))).toHaveLength(2);
    const health = (await (await fetch(`${proc.url}/healthz`)).json()) as { storage: { backup: { last_good_age_s: number; failures: number } } };
    expect(health.storage.backup.last_good_age_s).toBeLessThan(5);
    expect(health.storage.backup.failures).toBe(0);
    expect(await (await fetch(`${proc.url}/metrics`)).text()).toMatch(/^ops_webhook_last_backup_age_seconds \d+$/m);
  });

  it('reports a failing backup in /healthz by count and time only: no error text, no paths', async () => {
    // A file where the folder should be: every backup fails.
    const blocked = fx.file('blocked-backups');
    writeFileSync(blocked, 'not a folder');
    const proc = await fx.serve('receiver', { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${fx.file('blocked.db')}`, BACKUP_DIR: blocked, BACKUP_INTERVAL: '1s' });
    let text = '';
    await waitFor(async () => {
      text = await (await fetch(`${proc.url}/healthz`)).text();
      return (JSON.parse(text) as { storage: { backup: { failures: number } } }).storage.backup.failures > 0;
    });
    const backup = (JSON.parse(text) as { storage: { backup: Record<string, unknown> } }).storage.backup;
    expect(backup.last_failure_at).toEqual(expect.any(String));
    expect(text).not.toContain(fx.file(''));
    expect(text).not.toMatch(/ENOTDIR|EEXIST|error/i);
    // The reason is in the log, for the operator.
    expect(proc.lines.some((l) => l.includes('backup failed'))).toBe(true);
  });

  it('restores the receiver after a kill -9: every event acknowledged before the backup is back with its ticket', async () => {
    const db = 'drill.db';
    const dir = fx.file('drill-backups');
    const env = { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${fx.file(db)}`, BACKUP_DIR: dir };
    let proc: ServeProcess = await fx.serve('receiver', env);
    const before = [makeEvent(), makeEvent(), makeEvent({ event: 'onboarding.failed', data: { reason: 'dns' } })];
    for (const event of before) expect((await deliver(proc.url, event)).status).toBe(201);
    const backup = await run('backup', ['receiver'], env);
    expect(backup.code, backup.output).toBe(0);
    const file = /wrote (\S+)/.exec(backup.output)![1]!;
    const after = [makeEvent(), makeEvent()];
    for (const event of after) expect((await deliver(proc.url, event)).status).toBe(201);

    const refused = await run('restore', ['receiver', file], env);
    expect(refused.code).toBe(2);
    expect(refused.output).toMatch(/service is running/);

    await proc.kill9();
    const restored = await run('restore', ['receiver', file], env);
    expect(restored.code, restored.output).toBe(0);
    expect(restored.output).toMatch(/kept at/);
    proc = await fx.serve('receiver', env);
    expect((await fetch(`${proc.url}/healthz`)).status).toBe(200);
    for (const event of before) {
      expect(count(db, `SELECT count(*) AS n FROM tickets WHERE session_id = '${event.session_id}'`)).toBe(1);
      // A delivery retried after the restore is still a duplicate.
      expect((await deliver(proc.url, event)).status).toBe(200);
    }
    // What arrived after the backup is what a restore loses (the emitter's redeliveries bring it back when it still has it).
    for (const event of after) expect(count(db, `SELECT count(*) AS n FROM webhook_events WHERE session_id = '${event.session_id}'`)).toBe(0);
    expect(fx.query<{ integrity_check: string }>(db, 'PRAGMA integrity_check')[0]!.integrity_check).toBe('ok');
  });

  it('repairs a restored receiver through reconciliation: what arrived after the backup is back within two intervals, none twice', async () => {
    const db = 'repair.db';
    const receiverEnv = { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${fx.file(db)}`, BACKUP_DIR: fx.file('repair-backups'), PORT: String(await freePort()) };
    let receiver = await fx.serve('receiver', receiverEnv);
    // Reconciliation every 2 s (as an operator would shorten RECONCILE_INTERVAL); the first pass is at start.
    const emitter = await fx.serve('emitter', {
      OPS_WEBHOOK_URL: `${receiver.url}${ONBOARD}`,
      OPS_WEBHOOK_SECRET: SECRET,
      OPS_WEBHOOK_RETRY_SCHEDULE: '200ms,400ms,1m',
      PROBE_INTERVAL_MS: '300',
      SWEEP_INTERVAL_MS: '100',
      RECONCILE_INTERVAL: '2s',
      DATABASE_URL: `file:${fx.file('repair-emitter.db')}`,
    });
    const emit = (event: EventBody) => fetch(`${emitter.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...EMITTER_AUTH }, body: JSON.stringify(event) });
    const onRecord = (sessions: EventBody[]) => count(db, `SELECT count(*) AS n FROM webhook_events WHERE session_id IN (${sessions.map((e) => `'${e.session_id}'`).join(',')})`);
    const before = Array.from({ length: 40 }, () => makeEvent());
    for (const event of before) expect((await emit(event)).status).toBe(202);
    await waitFor(() => onRecord(before) === 40, 30_000);
    const backup = await run('backup', ['receiver'], receiverEnv);
    expect(backup.code, backup.output).toBe(0);
    const file = /wrote (\S+)/.exec(backup.output)![1]!;
    const after = Array.from({ length: 30 }, () => makeEvent());
    for (const event of after) expect((await emit(event)).status).toBe(202);
    await waitFor(() => onRecord(after) === 30, 30_000);

    // Ops is put back to the backup: the 30 are gone there, and the emitter believes them delivered.
    await receiver.stop();
    const restored = await run('restore', ['receiver', file], receiverEnv);
    expect(restored.code, restored.output).toBe(0);
    receiver = await fx.serve('receiver', receiverEnv);
    expect(onRecord(after)).toBe(0);

    await waitFor(() => onRecord(after) === 30, 4 * 2000 + 5000, 200);
    for (const event of [...before, ...after]) {
      expect(count(db, `SELECT count(*) AS n FROM webhook_events WHERE session_id = '${event.session_id}'`)).toBe(1);
      expect(count(db, `SELECT count(*) AS n FROM tickets WHERE session_id = '${event.session_id}'`)).toBe(1);
    }
    const health = (await (await fetch(`${emitter.url}/healthz`)).json()) as { reconciliation: { ok: boolean } };
    expect(health.reconciliation.ok).toBe(true);
    const metrics = await (await fetch(`${emitter.url}/metrics`)).text();
    expect(metrics).toMatch(/^ops_webhook_emitter_reconciled_total\{result="missing"\} 30$/m);
    expect(metrics).toMatch(/^ops_webhook_emitter_last_reconciliation_timestamp_seconds \d/m);
    // The receiver counted what it was asked: at least the 30 it had lost.
    const receiverMetrics = await (await fetch(`${receiver.url}/metrics`)).text();
    expect(Number(/^ops_webhook_receiver_receipts_total\{result="missing"\} (\d+)$/m.exec(receiverMetrics)?.[1])).toBeGreaterThanOrEqual(30);
    const requeuedByReconcile = fx.query<{ n: number }>('repair-emitter.db', "SELECT count(DISTINCT message_id) AS n FROM delivery_attempts WHERE trigger = 'reconcile' AND outcome = 'delivered'")[0]!.n;
    expect(requeuedByReconcile).toBe(30);
  });

  it('restores the emitter: a message pending at backup time is delivered again, and Ops keeps one ticket for it', async () => {
    const opsPort = await freePort();
    const emitterDb = 'emitter-drill.db';
    const emitterEnv = {
      OPS_WEBHOOK_URL: `http://127.0.0.1:${opsPort}${ONBOARD}`,
      OPS_WEBHOOK_SECRET: SECRET,
      OPS_WEBHOOK_RETRY_SCHEDULE: '200ms,400ms,1m',
      PROBE_INTERVAL_MS: '300',
      SWEEP_INTERVAL_MS: '200',
      DATABASE_URL: `file:${fx.file(emitterDb)}`,
      BACKUP_DIR: fx.file('emitter-backups'),
    };
    let emitter = await fx.serve('emitter', emitterEnv);
    const event = makeEvent();
    expect((await fetch(`${emitter.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...EMITTER_AUTH }, body: JSON.stringify(event) })).status).toBe(202);
    const backup = await run('backup', ['emitter'], emitterEnv);
    expect(backup.code, backup.output).toBe(0);
    const file = /wrote (\S+)/.exec(backup.output)![1]!;

    await fx.serve('receiver', { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${fx.file('ops-drill.db')}`, PORT: String(opsPort) });
    await waitFor(() => count(emitterDb, "SELECT count(*) AS n FROM outbox_messages WHERE status = 'delivered'") === 1);
    await emitter.kill9();
    expect((await run('restore', ['emitter', file], emitterEnv)).code).toBe(0);
    expect(count(emitterDb, "SELECT count(*) AS n FROM outbox_messages WHERE status = 'pending'")).toBe(1);
    emitter = await fx.serve('emitter', emitterEnv);
    await waitFor(() => count(emitterDb, "SELECT count(*) AS n FROM outbox_messages WHERE status = 'delivered'") === 1);
    const attempts = fx.query<{ status_code: number }>(emitterDb, 'SELECT status_code FROM delivery_attempts ORDER BY id');
    expect(attempts.at(-1)!.status_code).toBe(200);
    expect(count('ops-drill.db', `SELECT count(*) AS n FROM tickets WHERE session_id = '${event.session_id}'`)).toBe(1);
    expect(count('ops-drill.db', `SELECT count(*) AS n FROM webhook_events WHERE session_id = '${event.session_id}'`)).toBe(1);
  });

  it('refuses to back up without BACKUP_DIR, and to restore a missing file or one from a newer version', async () => {
    const env = { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${fx.file('plain.db')}` };
    const none = await run('backup', ['receiver'], env);
    expect(none.code).toBe(2);
    expect(none.output).toMatch(/BACKUP_DIR is not set/);
    const missing = await run('restore', ['receiver', fx.file('no-such-backup.db')], env);
    expect(missing.code).toBe(2);

    const proc = await fx.serve('receiver', env);
    await proc.stop();
    const backup = await run('backup', ['receiver'], { ...env, BACKUP_DIR: fx.file('newer-backups') });
    const file = /wrote (\S+)/.exec(backup.output)![1]!;
    const db = new Database(file);
    db.exec("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('from-the-future', 4102444800000)");
    db.close();
    const newer = await run('restore', ['receiver', file], env);
    expect(newer.code).toBe(2);
    expect(newer.output).toMatch(/newer version/);
  });
});

describe('the serving marker', () => {
  it('counts only a live host: a marker left by a dead one, or naming another program, does not block a start or a restore', async () => {
    const db = fx.file('marker.db');
    writeFileSync(servingMarker(db), `${process.pid}\n`); // this test process: alive, but no host
    expect(servingPid(db)).toBeUndefined();
    writeFileSync(servingMarker(db), '999999999\n');
    expect(servingPid(db)).toBeUndefined();
  });
});

describe('deduplication across emitter retention (black box)', () => {
  it('delivers a repeat of an event whose message retention deleted, and Ops answers it as a duplicate: one ticket', async () => {
    const opsPort = await freePort();
    const ops = await fx.serve('receiver', { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${fx.file('ops-retention.db')}`, PORT: String(opsPort) });
    const emitter = await fx.serve('emitter', {
      OPS_WEBHOOK_URL: `http://127.0.0.1:${opsPort}${ONBOARD}`,
      OPS_WEBHOOK_SECRET: SECRET,
      RETENTION_DAYS: '0.00001',
      SWEEP_INTERVAL_MS: '200',
      DATABASE_URL: `file:${fx.file('emitter-retention.db')}`,
    });
    const event = makeEvent();
    const emit = async () =>
      ((await (await fetch(`${emitter.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...EMITTER_AUTH }, body: JSON.stringify(event) })).json()) as { id: string }).id;
    const first = await emit();
    await waitFor(async () => (await fetch(`${emitter.url}/v1/deliveries/${first}`, { headers: EMITTER_AUTH })).status === 404);
    const second = await emit();
    expect(second).not.toBe(first);
    await waitFor(async () => (await fetch(`${emitter.url}/v1/deliveries/${second}`, { headers: EMITTER_AUTH })).status === 404);
    expect(count('ops-retention.db', `SELECT count(*) AS n FROM tickets WHERE session_id = '${event.session_id}'`)).toBe(1);
    const metrics = await (await fetch(`${ops.url}/metrics`)).text();
    expect(metrics).toContain('ops_webhook_receiver_deliveries_total{event="account.created",outcome="duplicate"} 1');
  });
});
