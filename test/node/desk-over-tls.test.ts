/**
 * The Ops desk in a real browser over TLS (black box): served over https by the receiver itself,
 * and behind a TLS-terminating reverse proxy that this test runs (node:https in front, node:http
 * to the receiver, X-Forwarded-For added), with PUBLIC_ORIGIN and TRUSTED_PROXIES set. Either way
 * an operator signs in and closes a ticket, the cookie is Secure, a cross-site POST is refused,
 * and behind the proxy sign-in throttling keys on each person's forwarded address. Certificates
 * are made here with openssl; the browser trusts them for this test only.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorEntry } from '../../functions/operator-area/password';
import { launchBrowser, signIn, withScreenshotOnFailure } from '../support/browser';
import { makeEvent } from '../support/factories';
import { serveFixture } from '../support/serve-fixture';
import type { ServeProcess } from '../../scripts/support/serve-process';

const SECRET = `desk-tls-${crypto.randomUUID()}-${crypto.randomUUID()}`;
const PASSWORD = 'correct horse battery staple';
const fx = serveFixture('desk-tls');
const certs = mkdtempSync(join(tmpdir(), 'ops-webhook-desk-certs-'));
const file = (name: string) => join(certs, name);
/** Stands for "which person this is" in front of the proxy: the proxy turns it into X-Forwarded-For. */
const CLIENT_HEADER = 'x-test-client-address';
let browser: Browser;
let users = '';
let proxy: Server | undefined;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: certs, stdio: ['ignore', 'ignore', 'pipe'] });
}

beforeAll(async () => {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=desk CA');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'desk.key', '-out', 'desk.csr', '-subj', '/CN=localhost');
  writeFileSync(file('desk.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', 'desk.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'desk.pem', '-days', '2', '-extfile', 'desk.ext');
  browser = await launchBrowser();
  users = await operatorEntry('alice', PASSWORD);
}, 120_000);

afterAll(async () => {
  proxy?.close();
  await browser?.close();
  rmSync(certs, { recursive: true, force: true });
});

/** Delivers an event to the receiver at `url` (https with the test CA, or plain http). */
function deliver(url: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(`${url}/api/v1/webhooks/onboard`, { method: 'POST', ca: readFileSync(file('ca.pem')), headers: { 'content-type': 'application/json', 'x-webhook-secret': SECRET } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** A POST from another site, with the operator's own cookie, from inside the browser's origin-less world. */
async function crossSitePost(context: BrowserContext, url: string): Promise<number> {
  const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: 'POST', ca: readFileSync(file('ca.pem')), headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end('action=close');
  });
}

/** Signs in, opens the ticket of `event`, closes it; returns the ticket's path. */
async function closeTicket(context: BrowserContext, desk: string, domain: string): Promise<string> {
  const page = await context.newPage();
  let path = '';
  await withScreenshotOnFailure(page, 'desk-over-tls', async () => {
    await signIn(page, `${desk}/desk`, 'alice', PASSWORD);
    await expect.poll(() => page.url()).toBe(`${desk}/desk`);
    await page.getByRole('link', { name: new RegExp(domain.replace(/\./g, '\\.')) }).click();
    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByText('Done: you closed the ticket.').waitFor();
    path = new URL(page.url()).pathname;
  });
  await page.close();
  return path;
}

describe('the Ops desk over TLS, in a browser', () => {
  it('works over https served by the receiver: sign in, close a ticket; the cookie is Secure; a cross-site POST gets 403', async () => {
    const receiver: ServeProcess = await fx.serve('receiver', {
      WEBHOOK_SECRET: SECRET,
      DATABASE_URL: `file:${fx.file('direct.db')}`,
      OPERATOR_USERS: users,
      TLS_CERT_FILE: file('desk.pem'),
      TLS_KEY_FILE: file('desk.key'),
    });
    expect(receiver.url).toMatch(/^https:/);
    const event = makeEvent();
    expect(await deliver(receiver.url, event)).toBe(201);
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const ticket = await closeTicket(context, receiver.url, event.domain);
    const session = (await context.cookies()).find((c) => c.name === 'ops_desk_session');
    expect(session?.secure).toBe(true);
    expect(await crossSitePost(context, `${receiver.url}${ticket}/actions`)).toBe(403);
    await context.close();
  });

  it('works behind a TLS-terminating proxy with PUBLIC_ORIGIN and TRUSTED_PROXIES, and throttles each person by the forwarded address', async () => {
    proxy = createHttpsServer({ cert: readFileSync(file('desk.pem')), key: readFileSync(file('desk.key')) });
    await new Promise<void>((resolve) => proxy!.listen(0, '127.0.0.1', resolve));
    const origin = `https://localhost:${(proxy.address() as AddressInfo).port}`;
    const receiver = await fx.serve('receiver', {
      WEBHOOK_SECRET: SECRET,
      DATABASE_URL: `file:${fx.file('proxied.db')}`,
      OPERATOR_USERS: users,
      PUBLIC_ORIGIN: origin,
      TRUSTED_PROXIES: '127.0.0.1',
    });
    // The proxy: TLS in front; to the receiver over plain HTTP with the browser's Host and its address in X-Forwarded-For.
    proxy.on('request', (req, res) => {
      const { [CLIENT_HEADER]: client, ...headers } = req.headers;
      const upstream = httpRequest(`${receiver.url}${req.url}`, { method: req.method, headers: { ...headers, 'x-forwarded-for': String(client ?? req.socket.remoteAddress) } }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    const event = makeEvent();
    expect(await deliver(receiver.url, event)).toBe(201);

    // Someone else behind the proxy guesses alice's password until throttled.
    const stranger = await browser.newContext({ ignoreHTTPSErrors: true, extraHTTPHeaders: { [CLIENT_HEADER]: '203.0.113.66' } });
    const guesser = await stranger.newPage();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      await guesser.goto(`${origin}/desk/login`);
      await guesser.getByLabel('Username').fill('alice');
      await guesser.getByLabel('Password').fill(`guess number ${i}`);
      const [answer] = await Promise.all([guesser.waitForResponse((r) => r.url().endsWith('/desk/login') && r.request().method() === 'POST'), guesser.getByRole('button', { name: 'Sign in' }).click()]);
      statuses.push(answer.status());
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    await stranger.close();

    // Alice, from her own address behind the same proxy, signs in and works.
    const alice = await browser.newContext({ ignoreHTTPSErrors: true, extraHTTPHeaders: { [CLIENT_HEADER]: '203.0.113.7' } });
    const ticket = await closeTicket(alice, origin, event.domain);
    const session = (await alice.cookies()).find((c) => c.name === 'ops_desk_session');
    expect(session?.secure).toBe(true);
    expect(await crossSitePost(alice, `${origin}${ticket}/actions`)).toBe(403);
    await alice.close();
  });
});
