/**
 * Notifications against real peers (black box): the receiver's serve process with its relay, a
 * real SMTP submission server (STARTTLS, then AUTH; its certificate from a private CA made here)
 * and a stand-in chat webhook. A ticket's notice arrives by both; it survives a kill -9 between
 * the 201 and the send; a server that defers is retried, one that refuses is shown as failed;
 * a server without STARTTLS gets nothing in plaintext.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startServe, type ServeProcess } from '../../scripts/support/serve-process';
import { startChatWebhook, startSmtpServer, type TestChatWebhook, type TestSmtpServer } from '../../scripts/support/smtp-test-server';
import { makeEvent } from '../support/factories';
import { serveFixture } from '../support/serve-fixture';
import { testCertificates } from '../../scripts/support/test-certificates';
import { notificationChecks } from '../../cli/notifications-check';
import { waitFor } from '../support/wait';

const SECRET = `notify-${crypto.randomUUID()}-${crypto.randomUUID()}`;
const SMTP_PASSWORD = `mail-${crypto.randomUUID()}`;
const fx = serveFixture('notify');
const certs = testCertificates();
const running: { close(): Promise<void> }[] = [];

beforeAll(() => {
  certs.makeCa('mail-ca');
  certs.makeLeaf('mail-ca', 'mail', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth');
});
afterAll(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
  certs.remove();
});

async function smtp(options: { port?: number; offerStartTls?: boolean; implicitTls?: boolean } = {}): Promise<TestSmtpServer> {
  const server = await startSmtpServer({ certFile: certs.file('mail.pem'), keyFile: certs.file('mail.key'), user: 'desk', password: SMTP_PASSWORD, ...options });
  running.push(server);
  return server;
}

async function chat(): Promise<TestChatWebhook> {
  const hook = await startChatWebhook();
  running.push(hook);
  return hook;
}

function notifySettings(smtpPort: number, db: string, chatUrl?: string): Record<string, string> {
  return {
    WEBHOOK_SECRET: SECRET,
    DATABASE_URL: `file:${fx.file(db)}`,
    NOTIFY_SMTP_URL: `smtp://desk:${SMTP_PASSWORD}@127.0.0.1:${smtpPort}`,
    NOTIFY_SMTP_CA_FILE: certs.file('mail-ca.pem'),
    NOTIFY_EMAIL_FROM: 'ops-desk@example.com',
    NOTIFY_EMAIL_TO: 'ana@example.com',
    ...(chatUrl ? { NOTIFY_WEBHOOK_URL: chatUrl } : {}),
    PUBLIC_ORIGIN: 'https://ops-desk.lan',
    LOG_LEVEL: 'info',
  };
}

async function intakeFailed(receiver: ServeProcess, reason = 'mailbox quota exceeded'): Promise<{ status: number; ticket_id: number; domain: string }> {
  const event = makeEvent({ event: 'onboarding.failed', data: { reason } });
  const res = await fetch(`${receiver.url}/api/v1/webhooks/onboard`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-webhook-secret': SECRET },
    body: JSON.stringify(event),
  });
  const body = (await res.json()) as { ticket_id: number };
  return { status: res.status, ticket_id: body.ticket_id, domain: event.domain };
}

const rows = (db: string, ticketId: number) =>
  fx.query<{ id: string; status: string; attempts: number; last_error: string | null }>(db, `SELECT id, status, attempts, last_error FROM notifications WHERE ticket_id = ${Number(ticketId)} ORDER BY seq`);

describe('notifications to real peers (black box)', () => {
  it('mails over STARTTLS with AUTH and posts to the chat webhook, with the subject, a link and a stable Message-ID', async () => {
    const server = await smtp();
    const hook = await chat();
    const receiver = await fx.serve('receiver', notifySettings(server.port, 'sent.db', hook.url));
    const { status, ticket_id, domain } = await intakeFailed(receiver);
    expect(status).toBe(201);
    await waitFor(() => server.received.length === 1 && hook.received.length === 1, 15_000);

    const [received] = server.received;
    expect(received!.secure).toBe(true);
    expect(received!.user).toBe('desk');
    expect(received!.to).toEqual(['ana@example.com']);
    expect(received!.mail.subject).toBe(`[onboarding.failed] ${domain} \u2014 mailbox quota exceeded`);
    expect(received!.mail.messageId).toBe(`<ticket-${ticket_id}.opened@example.com>`);
    expect(received!.mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(received!.mail.text).toContain(`Open the ticket: https://ops-desk.lan/desk/tickets/${ticket_id}`);
    expect(hook.received[0]!.body.text).toContain(`https://ops-desk.lan/desk/tickets/${ticket_id}`);
    await waitFor(() => rows('sent.db', ticket_id).every((r) => r.status === 'delivered'));
    // Neither the SMTP password nor the chat webhook's secret path is ever logged.
    expect(receiver.lines.join('\n')).not.toContain(SMTP_PASSWORD);
    expect(receiver.lines.join('\n')).not.toContain('test-secret-path');
  });

  it('submits over implicit TLS with smtps://', async () => {
    const server = await smtp({ implicitTls: true });
    const settings = { ...notifySettings(server.port, 'smtps.db'), NOTIFY_SMTP_URL: `smtps://desk:${SMTP_PASSWORD}@127.0.0.1:${server.port}` };
    const receiver = await fx.serve('receiver', settings);
    const { ticket_id } = await intakeFailed(receiver);
    await waitFor(() => server.received.length === 1, 15_000);
    expect(server.received[0]).toMatchObject({ secure: true, user: 'desk' });
    expect(server.received[0]!.mail.messageId).toBe(`<ticket-${ticket_id}.opened@example.com>`);
  });

  it('sends the notification after a kill -9 that came during its send, once the mail server is there', async () => {
    // A mail server that takes the connection and never answers: the kill comes while the send waits on it.
    const silent = createServer(() => undefined);
    const connected = new Promise<void>((resolve) => silent.once('connection', () => resolve()));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const { port } = silent.address() as AddressInfo;
    const settings = notifySettings(port, 'killed.db');
    const first = await fx.serve('receiver', settings);
    const { status, ticket_id } = await intakeFailed(first);
    expect(status).toBe(201);
    await connected;
    await first.kill9();
    // In line, never attempted, and leased by the process that died.
    expect(fx.query<{ status: string; attempts: number; lease_until: number | null }>('killed.db', `SELECT status, attempts, lease_until FROM notifications WHERE ticket_id = ${Number(ticket_id)}`)).toEqual([
      { status: 'pending', attempts: 0, lease_until: expect.any(Number) },
    ]);
    await new Promise<void>((resolve) => silent.close(() => resolve()));

    // The restart voids the dead process's lease: the notice goes at once, not when the lease would have run out.
    const server = await smtp({ port });
    const second = await fx.serve('receiver', settings);
    await waitFor(() => server.received.length === 1, 20_000);
    expect(server.received[0]!.mail.messageId).toBe(`<ticket-${ticket_id}.opened@example.com>`);
    await waitFor(() => rows('killed.db', ticket_id)[0]?.status === 'delivered');
    await second.stop();
  });

  it('retries a server that defers (451), then marks as failed one that refuses (550), and shows it in /metrics', async () => {
    const server = await smtp();
    const receiver = await fx.serve('receiver', notifySettings(server.port, 'refused.db'));
    server.refuseWith = 451;
    const deferred = await intakeFailed(receiver, 'deferred once');
    await waitFor(() => (rows('refused.db', deferred.ticket_id)[0]?.attempts ?? 0) >= 1);
    expect(rows('refused.db', deferred.ticket_id)[0]).toMatchObject({ status: 'pending', last_error: expect.stringContaining('451') });
    server.refuseWith = undefined;
    await waitFor(() => rows('refused.db', deferred.ticket_id)[0]?.status === 'delivered', 15_000);
    expect(server.received.map((r) => r.mail.messageId)).toEqual([`<ticket-${deferred.ticket_id}.opened@example.com>`]);

    server.refuseWith = 550;
    const refused = await intakeFailed(receiver, 'refused for good');
    await waitFor(() => rows('refused.db', refused.ticket_id)[0]?.status === 'dead', 15_000);
    // The attempt keeps the mail server's own words (the ticket's timeline shows them).
    const [attempt] = fx.query<{ status_code: number; response_body: string }>('refused.db', `SELECT status_code, response_body FROM notification_attempts WHERE message_id = 'ticket-${Number(refused.ticket_id)}.opened.email'`);
    expect(attempt).toMatchObject({ status_code: 422, response_body: expect.stringContaining('550') });
    const metrics = await (await fetch(`${receiver.url}/metrics`)).text();
    expect(metrics).toMatch(/^ops_webhook_receiver_notifications\{status="dead",channel="email"\} 1$/m);
    expect(metrics).toMatch(/^ops_webhook_receiver_notifications\{status="delivered",channel="email"\} 1$/m);
  });

  it('sends nothing in plaintext to a server that offers no STARTTLS, and says why', async () => {
    const server = await smtp({ offerStartTls: false });
    const receiver = await fx.serve('receiver', notifySettings(server.port, 'plain.db'));
    const { ticket_id } = await intakeFailed(receiver);
    await waitFor(() => (rows('plain.db', ticket_id)[0]?.attempts ?? 0) >= 1);
    expect(rows('plain.db', ticket_id)[0]).toMatchObject({ status: 'pending', last_error: expect.stringMatching(/TLS/) });
    expect(server.received).toEqual([]);
  });

  it('refuses to start with a NOTIFY_SMTP_CA_FILE it cannot read, naming the variable', async () => {
    const settings = { ...notifySettings(2525, 'no-ca.db'), NOTIFY_SMTP_CA_FILE: fx.file('missing-ca.pem') };
    const proc = await startServe('receiver', settings).catch((err: Error) => err);
    expect(proc).toBeInstanceOf(Error);
    expect((proc as Error).message).toContain('NOTIFY_SMTP_CA_FILE');
  });
});

describe('ops-webhook doctor on notifications', () => {
  it('checks the mail server as the relay will use it, and the chat host, sending nothing', async () => {
    const server = await smtp();
    const hook = await chat();
    const good = await notificationChecks(notifySettings(server.port, 'unused.db', hook.url), 'receiver.env');
    expect(good.map((r) => r.status)).toEqual(['ok', 'ok']);
    expect(good[0]!.label).toBe(`mail server 127.0.0.1:${server.port} takes STARTTLS and the sign-in`);
    expect(server.received).toEqual([]);
    expect(hook.received).toEqual([]);

    const wrongPassword = await notificationChecks({ ...notifySettings(server.port, 'unused.db'), NOTIFY_SMTP_URL: `smtp://desk:wrong-password@127.0.0.1:${server.port}` }, 'receiver.env');
    expect(wrongPassword[0]).toMatchObject({ status: 'fail', cause: expect.stringContaining('refused the sign-in') });
    expect(JSON.stringify(wrongPassword)).not.toContain('wrong-password');

    const plain = await smtp({ offerStartTls: false });
    expect((await notificationChecks(notifySettings(plain.port, 'unused.db'), 'receiver.env'))[0]).toMatchObject({ status: 'fail', cause: expect.stringMatching(/TLS/) });

    const closed = await freePort();
    const nobody = await notificationChecks({ ...notifySettings(closed, 'unused.db'), NOTIFY_WEBHOOK_URL: `http://127.0.0.1:${closed}/hooks/x` }, 'receiver.env');
    expect(nobody.map((r) => r.status)).toEqual(['fail', 'fail']);
    expect(nobody[1]).toMatchObject({ cause: 'ECONNREFUSED' });
  });

  it('says notifications are off, as a warning', async () => {
    expect(await notificationChecks({}, 'receiver.env')).toEqual([expect.objectContaining({ status: 'warn', label: 'notifications are off' })]);
  });
});
