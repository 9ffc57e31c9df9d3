/**
 * Black-box tests of the whole link: both functions served by `npm run serve` under workerd on
 * ephemeral loopback ports, each with its own temporary SQLite file.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { EMITTER_AUTH, TEST_TICKETS_TOKEN } from '../support/test-env';
import { describe, expect, it } from 'vitest';
import { followUp, makeEvent, type EventBody } from '../support/factories';
import { serveFixture } from '../support/serve-fixture';
import { waitFor } from '../support/wait';
import { freePort, runServe, type ServeProcess } from '../../scripts/support/serve-process';

const SECRET = `link-${crypto.randomUUID()}-${crypto.randomUUID()}`;
const fx = serveFixture('link');
const serve = fx.serve;
const query = <T>(name: string, sql: string) => fx.query<T>(name, sql);

function receiverEnv(file: string, port?: number): Record<string, string> {
  return {
    WEBHOOK_SECRET: SECRET,
    WEBHOOK_REQUIRE_SIGNATURE: 'true',
    DATABASE_URL: `file:${fx.file(file)}`,
    ...(port ? { PORT: String(port) } : {}),
  };
}

function emitterEnv(file: string, opsPort: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    OPS_WEBHOOK_URL: `http://127.0.0.1:${opsPort}/api/v1/webhooks/onboard`,
    OPS_WEBHOOK_SECRET: SECRET,
    OPS_WEBHOOK_RETRY_SCHEDULE: '200ms,400ms,800ms,1m,5m',
    OPS_WEBHOOK_TIMEOUT_MS: '2000',
    PROBE_INTERVAL_MS: '500',
    SWEEP_INTERVAL_MS: '200',
    DATABASE_URL: `file:${fx.file(file)}`,
    ...extra,
  };
}

async function emit(emitter: ServeProcess, event: EventBody): Promise<{ status: number; id: string }> {
  const res = await fetch(`${emitter.url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...EMITTER_AUTH },
    body: JSON.stringify(event),
  });
  return { status: res.status, id: ((await res.json()) as { id: string }).id };
}



async function backlog(emitter: ServeProcess): Promise<{ pending: number; dead: number }> {
  const health = (await (await fetch(`${emitter.url}/healthz`)).json()) as { backlog: { pending: number; dead: number } };
  return health.backlog;
}

describe('portal → emitter → receiver (black box)', () => {
  it('turns a portal call into a ticket with the exact subject, signed so the receiver requires it', async () => {
    const receiver = await serve('receiver', receiverEnv('e2e-ops.db'));
    const emitter = await serve('emitter', emitterEnv('e2e-emitter.db', Number(new URL(receiver.url).port)));
    const event = makeEvent({ data: { admin_email: 'admin@example.com' } });
    const accepted = await emit(emitter, event);
    expect(accepted.status).toBe(202);
    await waitFor(async () => {
      const res = await fetch(`${receiver.url}/api/v1/tickets?session_id=${event.session_id}`, { headers: { authorization: `Bearer ${TEST_TICKETS_TOKEN}` } });
      return ((await res.json()) as { tickets: unknown[] }).tickets.length === 1;
    });
    const tickets = query<{ subject: string }>('e2e-ops.db', `SELECT subject FROM tickets WHERE session_id = '${event.session_id}'`);
    expect(tickets).toEqual([{ subject: `[account.created] ${event.domain} \u2014 admin@example.com` }]);
    const events = query<{ webhook_id: string }>('e2e-ops.db', `SELECT webhook_id FROM webhook_events WHERE session_id = '${event.session_id}'`);
    expect(events).toEqual([{ webhook_id: accepted.id }]);
  });

  it('accepts while Ops is offline and delivers everything, once, when it comes back', async () => {
    const opsPort = await freePort();
    const emitter = await serve('emitter', emitterEnv('offline-emitter.db', opsPort));
    const created = makeEvent();
    const events = [created, followUp(created, 'domain.validated'), followUp(created, 'dns.applied'), ...Array.from({ length: 7 }, () => makeEvent())];
    for (const event of events) expect((await emit(emitter, event)).status).toBe(202);
    // Let the fast tries fail and the slow schedule (1 min) take over.
    await new Promise((r) => setTimeout(r, 2000));
    const listed = (await (await fetch(`${emitter.url}/v1/deliveries?limit=50`, { headers: EMITTER_AUTH })).json()) as { deliveries: { status: string }[] };
    expect(listed.deliveries.map((d) => d.status)).toEqual(Array(events.length).fill('pending'));

    await serve('receiver', receiverEnv('offline-ops.db', opsPort));
    await waitFor(async () => (await backlog(emitter)).pending === 0, 20_000);
    const rows = query<{ n: number }>('offline-ops.db', 'SELECT count(*) AS n FROM webhook_events');
    expect(query('offline-emitter.db', "SELECT id FROM outbox_messages WHERE status != 'delivered'")).toEqual([]);
    expect(rows[0]!.n).toBe(events.length);
    const tickets = query<{ n: number }>('offline-ops.db', 'SELECT count(*) AS n FROM tickets');
    expect(tickets[0]!.n).toBe(8);
    const timeline = query<{ event_type: string }>(
      'offline-ops.db',
      `SELECT event_type FROM webhook_events WHERE session_id = '${created.session_id}' ORDER BY id`,
    );
    expect(timeline.map((r) => r.event_type)).toEqual(['account.created', 'domain.validated', 'dns.applied']);
  });

  it('delivers a backlog of 200 after a kill -9 and restart, none twice', async () => {
    const opsPort = await freePort();
    const env = emitterEnv('kill-emitter.db', opsPort);
    const emitter = await serve('emitter', env);
    const events = Array.from({ length: 200 }, () => makeEvent());
    for (let i = 0; i < events.length; i += 20) {
      const answers = await Promise.all(events.slice(i, i + 20).map((e) => emit(emitter, e)));
      expect(answers.every((a) => a.status === 202)).toBe(true);
    }
    await emitter.kill9();

    await serve('receiver', receiverEnv('kill-ops.db', opsPort));
    const restarted = await serve('emitter', env);
    await waitFor(async () => (await backlog(restarted)).pending === 0, 60_000);
    expect(query<{ n: number }>('kill-ops.db', 'SELECT count(*) AS n FROM webhook_events')[0]!.n).toBe(200);
    const outcomes = query<{ status: string; n: number }>('kill-emitter.db', 'SELECT status, count(*) AS n FROM outbox_messages GROUP BY status');
    expect(outcomes).toEqual([{ status: 'delivered', n: 200 }]);
    // Every message got exactly one 201 and never a 200 "duplicate": nothing reached Ops twice.
    const answers = query<{ status_code: number; n: number }>(
      'kill-emitter.db',
      "SELECT status_code, count(*) AS n FROM delivery_attempts WHERE outcome = 'delivered' GROUP BY status_code",
    );
    expect(answers).toEqual([{ status_code: 201, n: 200 }]);
  });

  it('makes its API token at first start when none is set: 0600 beside the database, required on /v1, kept across restarts', async () => {
    const env = { ...emitterEnv('own-token.db', await freePort()), EMITTER_API_TOKEN: '', LOG_LEVEL: 'info' };
    const first = await serve('emitter', env);
    const path = fx.file('own-token.api-token');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const token = readFileSync(path, 'utf8').trim();
    expect(token.length).toBeGreaterThanOrEqual(32);
    // The log says where it is, never what it is.
    expect(first.lines.some((l) => l.includes(path))).toBe(true);
    expect(first.lines.some((l) => l.includes(token))).toBe(false);
    const post = (headers: Record<string, string>) =>
      fetch(`${first.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(makeEvent()) });
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: `Bearer ${EMITTER_AUTH.authorization.slice(7)}` })).status).toBe(401);
    expect((await post({ authorization: `Bearer ${token}` })).status).toBe(202);
    await first.stop();
    const again = await serve('emitter', env);
    expect(readFileSync(path, 'utf8').trim()).toBe(token);
    expect((await fetch(`${again.url}/v1/deliveries`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it('refuses to start with a token file others may read, naming the file', async () => {
    const env = { ...emitterEnv('open-token.db', 9), EMITTER_API_TOKEN: '' };
    writeFileSync(fx.file('open-token.api-token'), `${'t'.repeat(43)}\n`, { mode: 0o644 });
    const { code, output } = await runServe('emitter', env);
    expect(code).toBe(2);
    expect(output).toContain('open-token.api-token');
    expect(output).not.toContain('t'.repeat(43));
  });

  it('refuses to start without OPS_WEBHOOK_URL, naming it', async () => {
    const { OPS_WEBHOOK_URL: _omitted, ...env } = emitterEnv('y.db', 9);
    const { code, output } = await runServe('emitter', env);
    expect(code).toBe(2);
    expect(output).toContain('OPS_WEBHOOK_URL');
    expect(output).not.toContain(SECRET);
  });
});
