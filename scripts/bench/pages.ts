/**
 * The operator pages under a realistic archive: 10,000 tickets (with their events) on the desk,
 * 10,000 messages (with attempts) in the console, seeded straight into fresh databases; each list
 * and detail page fetched 200 times one after another by a signed-in operator, and the latency
 * quantiles reported. Run alone with `npm run bench -- pages`.
 */
import { join } from 'node:path';
import { operatorEntry } from '../../functions/operator-area/password';
import { ROOT } from '../../host/project.mjs';
import { applyMigrations } from '../../host/migrations';
import { openSqlite } from '../../host/sqlite';
import { startServe, type ServeProcess } from '../support/serve-process';
import { quantile } from './measure';

export interface PageTimings {
  page: string;
  p50: number;
  p95: number;
  p99: number;
}

const ROWS = 10_000;
const RUNS = 200;
const PASSWORD = 'bench operator password';

async function seedReceiver(file: string): Promise<void> {
  await applyMigrations(`file:${file}`, undefined, join(ROOT, 'db/receiver/migrations'));
  const db = openSqlite(file, 'NORMAL');
  const now = Date.now();
  const event = db.prepare(`INSERT INTO webhook_events (event_type, session_id, domain, webhook_id, intake_id, occurred_at, received_at, data, ticket_id)
    VALUES ('account.created', ?, ?, ?, ?, ?, ?, ?, NULL)`);
  const ticket = db.prepare(`INSERT INTO tickets (subject, priority, status, domain, session_id, opened_by_event_id, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const link = db.prepare('UPDATE webhook_events SET ticket_id = ? WHERE id = ?');
  db.exec('BEGIN');
  for (let i = 0; i < ROWS; i++) {
    const at = now - (ROWS - i) * 120_000;
    const domain = `customer${i}.example.com`;
    const e = event.run(`bench-${i}`, domain, `msg_${i}`, `intake-${i}`, at, at, JSON.stringify({ admin_email: `admin@${domain}` }));
    const t = ticket.run(`[account.created] ${domain} \u2014 admin@${domain}`, i % 10 === 0 ? 'high' : 'normal', i % 3 === 0 ? 'closed' : 'open', domain, `bench-${i}`, e.lastInsertRowid, at, at);
    link.run(t.lastInsertRowid, e.lastInsertRowid);
  }
  db.exec('COMMIT');
  db.close();
}

async function seedEmitter(file: string): Promise<void> {
  await applyMigrations(`file:${file}`, undefined, join(ROOT, 'db/emitter/migrations'));
  const db = openSqlite(file, 'NORMAL');
  const now = Date.now();
  const message = db.prepare(`INSERT INTO outbox_messages (id, event_type, session_id, domain, payload, status, attempts, next_attempt_at, created_at, updated_at, delivered_at, last_status)
    VALUES (?, 'account.created', ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)`);
  const attempt = db.prepare(`INSERT INTO delivery_attempts (message_id, attempt_no, trigger, started_at, duration_ms, status_code, outcome)
    VALUES (?, 1, 'accept', ?, 12, ?, ?)`);
  db.exec('BEGIN');
  for (let i = 0; i < ROWS; i++) {
    const at = now - (ROWS - i) * 8_000;
    const domain = `customer${i}.example.com`;
    const dead = i % 50 === 0;
    const payload = JSON.stringify({ event: 'account.created', domain, session_id: `bench-${i}`, occurred_at: new Date(at).toISOString(), data: { admin_email: `admin@${domain}` } });
    message.run(`msg_bench_${i}`, `bench-${i}`, domain, payload, dead ? 'dead' : 'delivered', at, at, at, dead ? null : at + 12, dead ? 422 : 201);
    attempt.run(`msg_bench_${i}`, at, dead ? 422 : 201, dead ? 'dead' : 'delivered');
  }
  db.exec('COMMIT');
  db.close();
}

async function signIn(proc: ServeProcess, base: string): Promise<string> {
  const res = await fetch(`${proc.url}${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: proc.url },
    body: new URLSearchParams({ username: 'bench', password: PASSWORD }).toString(),
    redirect: 'manual',
  });
  if (res.status !== 303) throw new Error(`sign-in to ${base} answered ${res.status}`);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

async function time(proc: ServeProcess, path: string, cookie: string): Promise<PageTimings> {
  const took: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const res = await fetch(`${proc.url}${path}`, { headers: { cookie } });
    await res.text();
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
    took.push(performance.now() - started);
  }
  const round = (n: number) => Math.round(n * 10) / 10;
  return { page: path, p50: round(quantile(took, 0.5)), p95: round(quantile(took, 0.95)), p99: round(quantile(took, 0.99)) };
}

/** Seeds, serves, signs in and times the pages; `dir` is the bench's temporary folder. */
export async function measurePages(dir: string, secret: string): Promise<PageTimings[]> {
  const users = await operatorEntry('bench', PASSWORD);
  const receiverFile = join(dir, 'desk-10k.db');
  const emitterFile = join(dir, 'console-10k.db');
  await seedReceiver(receiverFile);
  await seedEmitter(emitterFile);
  const receiver = await startServe('receiver', { WEBHOOK_SECRET: secret, DATABASE_URL: `file:${receiverFile}`, OPERATOR_USERS: users, LOG_LEVEL: 'error' });
  const emitter = await startServe('emitter', {
    OPS_WEBHOOK_URL: 'http://127.0.0.1:9/api/v1/webhooks/onboard',
    OPS_WEBHOOK_SECRET: secret,
    OPS_WEBHOOK_ENABLED: 'false',
    DATABASE_URL: `file:${emitterFile}`,
    OPERATOR_USERS: users,
    LOG_LEVEL: 'error',
  });
  try {
    const desk = await signIn(receiver, '/desk');
    const console_ = await signIn(emitter, '/console');
    return [
      await time(receiver, '/desk', desk),
      await time(receiver, '/desk?status=open&priority=high', desk),
      await time(receiver, '/desk?q=customer4242', desk),
      await time(receiver, `/desk/tickets/${ROWS / 2}`, desk),
      await time(emitter, '/console', console_),
      await time(emitter, '/console?status=dead&q=customer1', console_),
      await time(emitter, `/console/messages/msg_bench_${ROWS / 2}`, console_),
    ];
  } finally {
    await receiver.stop();
    await emitter.stop();
  }
}
