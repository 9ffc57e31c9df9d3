/**
 * Black-box tests of the receiver as deployed: `npm run serve -- receiver` on an ephemeral
 * loopback port with a temporary SQLite file, driven over real HTTP.
 */
import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { serveFixture } from '../support/serve-fixture';
import { makeEvent, type EventBody } from '../support/factories';
import { listenHrana } from '../../host/hrana/http';
import { HranaEndpoint } from '../../host/hrana/endpoint';
import { runServe, type ServeProcess } from '../../scripts/support/serve-process';
import { openSqlite } from '../../host/sqlite';

const SECRET = `e2e-${crypto.randomUUID()}-${crypto.randomUUID()}`;
const fx = serveFixture('e2e');

function serveReceiver(dbName: string, extra: Record<string, string> = {}): Promise<ServeProcess> {
  return fx.serve('receiver', { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${fx.file(dbName)}`, ...extra });
}

function deliver(url: string, event: EventBody, secret = SECRET): Promise<Response> {
  return fetch(`${url}/api/v1/webhooks/onboard`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-webhook-secret': secret },
    body: JSON.stringify(event),
  });
}

const rows = (dbName: string, sql: string) => fx.query<unknown>(dbName, sql);

describe('receiver under workerd (black box)', () => {
  it('passes the operator checks of scripts/verify-webhook.sh', async () => {
    const proc = await serveReceiver('verify.db');
    const { stdout } = await promisify(execFile)('bash', ['scripts/verify-webhook.sh', proc.url, '-'], {
      env: { ...process.env, WEBHOOK_SECRET: SECRET },
    });
    expect(stdout).toContain('all checks passed');
    expect(stdout).not.toContain(SECRET);
    // The 401 it provoked is logged with its reason and the caller's address, and no secret.
    const rejected = proc.lines.find((l) => l.includes('"status":401'));
    expect(rejected).toContain('"reason":"missing_secret"');
    expect(rejected).toContain('"client_ip":"127.0.0.1"');
    expect(proc.lines.join('\n')).not.toContain(SECRET);
  });

  it('fails verify-webhook.sh with a non-zero exit against a wrong secret', async () => {
    const proc = await serveReceiver('verify-bad.db');
    const result = await promisify(execFile)('bash', ['scripts/verify-webhook.sh', proc.url, `${SECRET}-wrong`]).then(
      () => 0,
      (err: { code: number }) => err.code,
    );
    expect(result).toBe(1);
  });

  it('turns 50 concurrent identical deliveries into one event and one ticket', async () => {
    const file = 'concurrent.db';
    const proc = await serveReceiver(file);
    const event = makeEvent();
    const answers = await Promise.all(Array.from({ length: 50 }, () => deliver(proc.url, event)));
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as { ticket_id: number; event_id: number }[];
    expect(answers.map((r) => r.status).sort()).toEqual([...Array(49).fill(200), 201]);
    expect(new Set(bodies.map((b) => b.ticket_id)).size).toBe(1);
    expect(new Set(bodies.map((b) => b.event_id)).size).toBe(1);
    await proc.stop();
    expect(rows(file, `SELECT count(*) AS n FROM webhook_events WHERE session_id = '${event.session_id}'`)).toEqual([{ n: 1 }]);
    expect(rows(file, `SELECT count(*) AS n FROM tickets WHERE session_id = '${event.session_id}'`)).toEqual([{ n: 1 }]);
  });

  it('loses no answered event when killed with SIGKILL under load, and the file stays intact', async () => {
    const file = 'kill9.db';
    const proc = await serveReceiver(file);
    const acknowledged: string[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const event = makeEvent();
        try {
          const res = await deliver(proc.url, event);
          if (res.status === 201 || res.status === 200) acknowledged.push(event.session_id);
        } catch {
          // Connection cut by the kill: the sender would retry; this event was never acknowledged.
        }
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    await new Promise((r) => setTimeout(r, 1500));
    await proc.kill9();
    stop = true;
    await Promise.all(workers);
    expect(acknowledged.length).toBeGreaterThan(20);

    const restarted = await serveReceiver(file);
    const health = await fetch(`${restarted.url}/healthz`);
    expect(health.status).toBe(200);
    await restarted.stop();
    expect(rows(file, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    const stored = new Set((rows(file, 'SELECT session_id FROM webhook_events') as { session_id: string }[]).map((r) => r.session_id));
    expect(acknowledged.filter((s) => !stored.has(s))).toEqual([]);
    const ticketCount = rows(file, 'SELECT count(*) AS n FROM tickets') as { n: number }[];
    expect(ticketCount[0]!.n).toBe(stored.size);
  });

  it('finishes an in-flight request on SIGTERM, then exits 0', async () => {
    const file = 'drain.db';
    const proc = await serveReceiver(file);
    const { port } = new URL(proc.url);
    const body = JSON.stringify(makeEvent());
    const answer = new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/api/v1/webhooks/onboard',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-webhook-secret': SECRET, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => req.end(body.slice(10)), 800);
    });
    await new Promise((r) => setTimeout(r, 200));
    const exitCode = proc.stop();
    expect(await answer).toBe(201);
    expect(await exitCode).toBe(0);
  });

  it('restarts workerd when it crashes and keeps serving', async () => {
    const probe = await serveReceiver('crash.db');
    const port = new URL(probe.url).port;
    await probe.stop();
    const proc = await serveReceiver('crash.db', { PORT: port });
    const pid = Number(/"pid":(\d+)/.exec(proc.lines.find((l) => l.includes('"listening"'))!)![1]);
    process.kill(pid, 'SIGKILL');
    const deadline = Date.now() + 20_000;
    let status = 0;
    while (Date.now() < deadline && status !== 201) {
      await new Promise((r) => setTimeout(r, 250));
      status = await deliver(proc.url, makeEvent()).then((r) => r.status, () => 0);
    }
    expect(status).toBe(201);
    expect(proc.lines.some((l) => l.includes('workerd exited unexpectedly'))).toBe(true);
  });

  it('talks to a remote libSQL server when DATABASE_URL is http:// (here a loopback one)', async () => {
    // A stand-in for sqld: the same Hrana endpoint, on a loopback TCP port with its own token.
    const sqlite = openSqlite(fx.file('remote.db'), 'NORMAL');
    const endpoint = new HranaEndpoint(sqlite);
    const server = await listenHrana(endpoint, { port: 0 }, { token: 'remote-token-0123456789' });
    try {
      const port = (server.address() as AddressInfo).port;
      const proc = await serveReceiver('unused.db', {
        DATABASE_URL: `http://127.0.0.1:${port}`,
        DATABASE_AUTH_TOKEN: 'remote-token-0123456789',
      });
      const event = makeEvent();
      expect((await deliver(proc.url, event)).status).toBe(201);
      expect((await deliver(proc.url, event)).status).toBe(200);
      await proc.stop();
      expect(sqlite.prepare(`SELECT count(*) AS n FROM tickets WHERE session_id = '${event.session_id}'`).all()).toEqual([{ n: 1 }]);
    } finally {
      server.close();
      endpoint.close();
      sqlite.close();
    }
  });

  it('refuses to start with a short secret, naming the variable but not its value', async () => {
    const { code, output } = await runServe('receiver', { WEBHOOK_SECRET: 'too-short-value', DATABASE_URL: `file:${fx.file('x.db')}` });
    expect(code).toBe(2);
    expect(output).toContain('WEBHOOK_SECRET');
    expect(output).not.toContain('too-short-value');
  });

  it('refuses to start with the published dev placeholder secret', async () => {
    const { code, output } = await runServe('receiver', {
      WEBHOOK_SECRET: 'ligbox-ops-dev-secret',
      DATABASE_URL: `file:${fx.file('x.db')}`,
    });
    expect(code).toBe(2);
    expect(output).toContain('WEBHOOK_SECRET');
  });
});
