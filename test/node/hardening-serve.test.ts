/**
 * Hostile input and failing storage against the receiver as deployed (the host and the
 * production workerd): requests no HTTP client would send, and a database file that vanishes.
 */
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeEvent } from '../support/factories';
import { rawRequest } from '../support/raw-http';
import { serveFixture } from '../support/serve-fixture';
import { freePort, runServe, type ServeProcess } from '../../scripts/support/serve-process';

const SECRET = `hard-${crypto.randomUUID()}-${crypto.randomUUID()}`;
const fx = serveFixture('hardening');
const ONBOARD = '/api/v1/webhooks/onboard';

function serveReceiver(dbName: string, extra: Record<string, string> = {}): Promise<ServeProcess> {
  return fx.serve('receiver', { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${fx.file(dbName)}`, LOG_LEVEL: 'info', ...extra });
}

function deliver(url: string) {
  return fetch(`${url}${ONBOARD}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-webhook-secret': SECRET },
    body: JSON.stringify(makeEvent()),
  });
}

const head = (lines: string[]) => `POST ${ONBOARD} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`;

describe('receiver against requests no client should send (black box)', () => {
  it('answers 400, not 500, to a malformed or contradictory Content-Length', async () => {
    const proc = await serveReceiver('content-length.db');
    for (const lines of [['Content-Length: abc'], ['Content-Length: -1'], ['Content-Length: 2', 'Content-Length: 3']]) {
      const answer = await rawRequest(proc.url, `${head([`X-Webhook-Secret: ${SECRET}`, ...lines])}{}`);
      expect(answer.status, lines.join(', ')).toBe(400);
    }
    expect(fx.query<{ n: number }>('content-length.db', 'SELECT count(*) AS n FROM webhook_events')[0]!.n).toBe(0);
  });

  it('answers 400 incomplete_body at warn level when the client vanishes before its Content-Length, even unauthenticated', async () => {
    const proc = await serveReceiver('incomplete.db');
    const answer = await rawRequest(proc.url, `${head(['webhook-id: x', 'Content-Length: 100'])}{}`, { halfClose: true });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('incomplete_body');
    await new Promise((r) => setTimeout(r, 200));
    const lines = proc.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: string; msg: string; status?: number });
    expect(lines.find((l) => l.msg === 'request' && l.status === 400)?.level).toBe('warn');
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
  });
});

describe('receiver on failing storage (black box)', () => {
  it('refuses writes with 503 and reports the file missing in /healthz once the database file is deleted', async () => {
    const proc = await serveReceiver('vanishing.db');
    expect((await deliver(proc.url)).status).toBe(201);
    const healthy = (await (await fetch(`${proc.url}/healthz`)).json()) as { storage: { file: string } };
    expect(healthy.storage.file).toBe('ok');
    for (const suffix of ['', '-wal', '-shm']) rmSync(fx.file(`vanishing.db${suffix}`), { force: true });
    await new Promise((r) => setTimeout(r, 300));
    const refused = await deliver(proc.url);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).not.toBeNull();
    const health = await fetch(`${proc.url}/healthz`);
    expect(health.status).toBe(503);
    const body = (await health.json()) as { error: { code: string; details: { storage: { file: string } } } };
    expect(body.error.code).toBe('storage_unavailable');
    expect(body.error.details.storage.file).toBe('missing');
  });

  it('answers 503 in /healthz when free disk space is below MIN_FREE_DISK_MB', async () => {
    const proc = await serveReceiver('low-disk.db', { MIN_FREE_DISK_MB: '999999' });
    const health = await fetch(`${proc.url}/healthz`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { error: { message: string } }).error.message).toMatch(/free disk space/);
  });
});

describe('receiver against slow clients (black box)', () => {
  it('closes a connection whose headers trickle in a byte a second (workerd closes it after about 15 s)', async () => {
    const proc = await serveReceiver('slow.db');
    const { hostname, port } = new URL(proc.url);
    const { connect } = await import('node:net');
    const started = Date.now();
    const socket = connect(Number(port), hostname);
    const request = `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(100)}`;
    let sent = 0;
    const timer = setInterval(() => socket.write(request[sent++ % request.length]!), 1000);
    const closedAfter = await new Promise<number>((resolve) => {
      socket.on('close', () => resolve(Date.now() - started));
      socket.on('error', () => undefined);
      setTimeout(() => resolve(Infinity), 25_000);
    });
    clearInterval(timer);
    socket.destroy();
    expect(closedAfter).toBeLessThan(20_000);
    // Ordinary clients are served all the while.
    expect((await fetch(`${proc.url}/healthz`)).status).toBe(200);
  }, 30_000);
});

describe('listener settings (black box)', () => {
  it('refuses OPERATOR_PORT equal to PORT at start (exit 2), naming both, instead of failing to bind', async () => {
    const port = await freePort();
    const refused = await runServe('receiver', { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${fx.file('ports.db')}`, PORT: String(port), OPERATOR_PORT: String(port) });
    expect(refused.code).toBe(2);
    expect(refused.output).toContain(`OPERATOR_PORT and PORT are both ${port}`);
  });
});

describe('the workerd inspector (black box)', () => {
  it('is refused unless NODE_ENV=development, and warned about when on', async () => {
    const env = { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${fx.file('inspector.db')}`, WORKERD_INSPECTOR_ADDR: `127.0.0.1:${await freePort()}` };
    const refused = await runServe('receiver', env);
    expect(refused.code).toBe(2);
    expect(refused.output).toContain('WORKERD_INSPECTOR_ADDR');
    const on = await fx.serve('receiver', { ...env, NODE_ENV: 'development' });
    expect(on.lines.some((l) => l.includes('"level":"warn"') && l.includes('inspector is on'))).toBe(true);
  });
});
