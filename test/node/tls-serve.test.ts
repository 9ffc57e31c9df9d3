/**
 * TLS on the wire, black box: the receiver's listener over TLS, mutual TLS between the emitter and
 * the receiver, a receiver whose certificate does not verify, plain HTTP to a TLS port, the secret
 * kept off the wire, and bad certificate files. Every certificate and key is made here, at test
 * time, with the machine's openssl; none is committed.
 */
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '../support/factories';
import { serveFixture } from '../support/serve-fixture';
import { runServe, type ServeProcess } from '../../scripts/support/serve-process';
import { EMITTER_AUTH } from '../support/test-env';
import { waitFor } from '../support/wait';
import { testCertificates } from '../../scripts/support/test-certificates';

const SECRET = `tls-${crypto.randomUUID()}-${crypto.randomUUID()}`;
const ONBOARD = '/api/v1/webhooks/onboard';
const fx = serveFixture('tls');
const certs = testCertificates();
const { file, makeCa, makeLeaf } = certs;

beforeAll(() => {
  makeCa('ca');
  makeCa('other-ca');
  makeLeaf('ca', 'server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth');
  makeLeaf('ca', 'client', 'extendedKeyUsage=clientAuth');
  makeLeaf('other-ca', 'stranger', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth');
});
afterAll(() => certs.remove());

const receiverTls = (db: string, extra: Record<string, string> = {}) =>
  fx.serve('receiver', { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${fx.file(db)}`, TLS_CERT_FILE: file('server.pem'), TLS_KEY_FILE: file('server.key'), ...extra });

const emitterTo = (receiver: ServeProcess, db: string, extra: Record<string, string> = {}) =>
  fx.serve('emitter', {
    OPS_WEBHOOK_URL: `${receiver.url}${ONBOARD}`,
    OPS_WEBHOOK_SECRET: SECRET,
    OPS_WEBHOOK_RETRY_SCHEDULE: '200ms,200ms,200ms,1m',
    SWEEP_INTERVAL_MS: '100',
    RECONCILE_INTERVAL: '0',
    DATABASE_URL: `file:${fx.file(db)}`,
    ...extra,
  });

async function emitOne(emitter: ServeProcess) {
  const event = makeEvent();
  const res = await fetch(`${emitter.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...EMITTER_AUTH }, body: JSON.stringify(event) });
  expect(res.status).toBe(202);
  return { event, id: ((await res.json()) as { id: string }).id };
}

const recorded = (db: string, sessionId: string) => fx.query<{ n: number }>(db, `SELECT count(*) AS n FROM webhook_events WHERE session_id = '${sessionId}'`)[0]!.n;
const attemptsOf = (db: string, id: string) => fx.query<{ error: string | null; outcome: string }>(db, `SELECT error, outcome FROM delivery_attempts WHERE message_id = '${id}' ORDER BY id`);

/** A GET over TLS with `ca` trusted and, optionally, a client certificate; the error code when the handshake fails. */
function tlsGet(url: string, options: { cert?: string; key?: string }): Promise<{ status?: number; error?: string }> {
  return new Promise((resolve) => {
    const req = httpsRequest(url, { ca: readFileSync(file('ca.pem')), cert: options.cert, key: options.key, agent: false }, (res) => {
      res.resume();
      resolve({ status: res.statusCode });
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end();
  });
}

describe('TLS (black box)', () => {
  it('delivers over https to a receiver whose certificate the emitter trusts through OPS_WEBHOOK_CA_FILE', async () => {
    const receiver = await receiverTls('tls-ops.db');
    expect(receiver.url).toMatch(/^https:/);
    const emitter = await emitterTo(receiver, 'tls-emitter.db', { OPS_WEBHOOK_CA_FILE: file('ca.pem') });
    const { event } = await emitOne(emitter);
    await waitFor(() => recorded('tls-ops.db', event.session_id) === 1, 20_000);
  });

  it('never sends to a server whose certificate does not verify: the attempt says certificate, and it is retried', async () => {
    const receiver = await fx.serve('receiver', { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${fx.file('stranger-ops.db')}`, TLS_CERT_FILE: file('stranger.pem'), TLS_KEY_FILE: file('stranger.key') });
    const emitter = await emitterTo(receiver, 'stranger-emitter.db', { OPS_WEBHOOK_CA_FILE: file('ca.pem') });
    const { event, id } = await emitOne(emitter);
    await waitFor(() => attemptsOf('stranger-emitter.db', id).length >= 3, 20_000);
    const attempts = attemptsOf('stranger-emitter.db', id);
    expect(attempts.every((a) => a.outcome === 'retry' && /certificate/i.test(a.error ?? ''))).toBe(true);
    expect(recorded('stranger-ops.db', event.session_id)).toBe(0);
    // The reason workerd keeps from the worker is in the host's log, under the attempt's reference.
    const reference = /reference (\w+)/.exec(attempts[0]!.error!)![1]!;
    await waitFor(() => emitter.lines.some((l) => l.includes('"msg":"TLS handshake failed"') && l.includes(reference) && l.includes('UnknownIssuer')), 5000);
  });

  it('requires a client certificate from the CA with TLS_CLIENT_CA_FILE: refused at the handshake without one, delivered with the emitter\'s', async () => {
    const receiver = await receiverTls('mtls-ops.db', { TLS_CLIENT_CA_FILE: file('ca.pem') });
    const without = await tlsGet(`${receiver.url}/healthz`, {});
    expect(without.status).toBeUndefined();
    expect(without.error).toBeDefined();
    const withCert = await tlsGet(`${receiver.url}/healthz`, { cert: readFileSync(file('client.pem'), 'utf8'), key: readFileSync(file('client.key'), 'utf8') });
    expect(withCert.status).toBe(200);
    const emitter = await emitterTo(receiver, 'mtls-emitter.db', {
      OPS_WEBHOOK_CA_FILE: file('ca.pem'),
      OPS_WEBHOOK_CLIENT_CERT_FILE: file('client.pem'),
      OPS_WEBHOOK_CLIENT_KEY_FILE: file('client.key'),
    });
    const { event } = await emitOne(emitter);
    await waitFor(() => recorded('mtls-ops.db', event.session_id) === 1, 20_000);
  });

  it('writes one line for a flood of handshakes without a certificate, not one per connection', async () => {
    const receiver = await receiverTls('flood-ops.db', { TLS_CLIENT_CA_FILE: file('ca.pem') });
    for (let i = 0; i < 60; i++) expect((await tlsGet(`${receiver.url}/healthz`, {})).status).toBeUndefined();
    // The last failure's line would have come within a tenth of a second.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const lines = receiver.lines.filter((l) => l.includes('TLS handshake'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/"msg":"TLS handshake failed".*further failures for this reason within 60 s are counted/);
  });

  it('answers plain HTTP on a TLS port with no HTTP answer at all', async () => {
    const receiver = await receiverTls('plain-ops.db');
    const plain = await new Promise<{ status?: number; error?: string }>((resolve) => {
      const req = httpRequest(receiver.url.replace('https:', 'http:') + '/healthz', { agent: false }, (res) => {
        res.resume();
        resolve({ status: res.statusCode });
      });
      req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
      req.end();
    });
    expect(plain.status).toBeUndefined();
    expect(plain.error).toBeDefined();
  });

  it('keeps the shared secret off the wire with OPS_WEBHOOK_SEND_SECRET_HEADER=false: signature only, accepted by a receiver that requires it', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const fake = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      req.on('end', () => res.writeHead(201, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    try {
      const fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}${ONBOARD}`;
      const watched = await fx.serve('emitter', {
        OPS_WEBHOOK_URL: fakeUrl,
        OPS_WEBHOOK_SECRET: SECRET,
        OPS_WEBHOOK_SEND_SECRET_HEADER: 'false',
        RECONCILE_INTERVAL: '0',
        DATABASE_URL: `file:${fx.file('nosecret-watched.db')}`,
      });
      await emitOne(watched);
      await waitFor(() => seen.length > 0, 20_000);
      expect(seen[0]!['x-webhook-secret']).toBeUndefined();
      expect(seen[0]!['webhook-signature']).toMatch(/^v1,/);
    } finally {
      fake.close();
    }
    const receiver = await receiverTls('nosecret-ops.db', { WEBHOOK_REQUIRE_SIGNATURE: 'true' });
    const emitter = await emitterTo(receiver, 'nosecret-emitter.db', { OPS_WEBHOOK_CA_FILE: file('ca.pem'), OPS_WEBHOOK_SEND_SECRET_HEADER: 'false' });
    const { event } = await emitOne(emitter);
    await waitFor(() => recorded('nosecret-ops.db', event.session_id) === 1, 20_000);
  });

  it('splits people from machines with OPERATOR_PORT: each listener serves only its paths, both over TLS, client certificates only on the machine one', async () => {
    const receiver = await receiverTls('split-ops.db', { TLS_CLIENT_CA_FILE: file('ca.pem'), OPERATOR_PORT: '0', OPERATOR_USERS: 'alice:pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    await waitFor(() => receiver.lines.some((l) => l.includes('"msg":"operator pages listening"')), 10_000);
    const operatorUrl = /"msg":"operator pages listening".*"url":"([^"]+)"/.exec(receiver.lines.find((l) => l.includes('"msg":"operator pages listening"'))!)![1]!;
    expect(operatorUrl).toMatch(/^https:/);
    const client = { cert: readFileSync(file('client.pem'), 'utf8'), key: readFileSync(file('client.key'), 'utf8') };
    // Machines: their endpoints, with a client certificate; the pages are not there.
    expect((await tlsGet(`${receiver.url}/healthz`, client)).status).toBe(200);
    expect((await tlsGet(`${receiver.url}/desk/login`, client)).status).toBe(404);
    expect((await tlsGet(`${receiver.url}/docs`, client)).status).toBe(404);
    // People: the pages and documents over TLS without a client certificate; the machine endpoints are not there.
    expect((await tlsGet(`${operatorUrl}/desk/login`, {})).status).toBe(200);
    expect((await tlsGet(`${operatorUrl}/openapi.json`, {})).status).toBe(200);
    expect((await tlsGet(`${operatorUrl}/healthz`, {})).status).toBe(404);
    expect((await tlsGet(`${operatorUrl}/metrics`, {})).status).toBe(404);
  });

  it('refuses to start (exit 2) on a missing, unreadable or mismatched file, naming the variable and never the key', async () => {
    const base = { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${fx.file('refused.db')}` };
    const missing = await runServe('receiver', { ...base, TLS_CERT_FILE: file('nope.pem'), TLS_KEY_FILE: file('server.key') });
    expect(missing.code).toBe(2);
    expect(missing.output).toContain('TLS_CERT_FILE');
    const mismatched = await runServe('receiver', { ...base, TLS_CERT_FILE: file('server.pem'), TLS_KEY_FILE: file('client.key') });
    expect(mismatched.code).toBe(2);
    expect(mismatched.output).toContain('TLS_KEY_FILE is not the key of the certificate in TLS_CERT_FILE');
    const keyText = readFileSync(file('client.key'), 'utf8').split('\n')[1]!;
    expect(mismatched.output).not.toContain(keyText);
    const half = await runServe('receiver', { ...base, TLS_CERT_FILE: file('server.pem') });
    expect(half.code).toBe(2);
    expect(half.output).toContain('TLS_KEY_FILE must be set with TLS_CERT_FILE');
    const notPem = await runServe('receiver', { ...base, TLS_CERT_FILE: file('server.ext'), TLS_KEY_FILE: file('server.key') });
    expect(notPem.code).toBe(2);
    expect(notPem.output).toContain('TLS_CERT_FILE holds no PEM certificate');
  });
});
