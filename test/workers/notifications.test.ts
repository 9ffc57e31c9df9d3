/**
 * The receiver's notifications inside workerd, against a scripted relay (test/support/fake-relay.ts)
 * and on a held clock: what a ticket's notice says and where it goes, that it is in line with the
 * ticket's own batch, retries and dead letters, escalation until acknowledged, the daily digest,
 * the ticket's timeline, /metrics, and the settings' refusals.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connection';
import { notifications, notificationAttempts } from '../../db/receiver/schema';
import app from '../../functions/receiver/index';
import { RECEIVER_CONFIG } from '../../functions/receiver/config';
import { ConfigError, loadConfig } from '../../functions/platform/settings/config';
import { SWEEP_TOKEN_HEADER } from '../../functions/host-contract/wire-names';
import { operatorEntry } from '../../functions/operator-area/password';
import { makeEvent, type EventBody } from '../support/factories';
import { ENV, ONBOARD, SECRET } from './helpers';

const own = env as unknown as { RECEIVER_NOTIFY_LIBSQL: Fetcher; NOTIFY: Fetcher };
const MINUTE = 60_000;

/** A clock the test holds and moves (the receiver's CLOCK binding). */
function heldClock(at = Date.parse('2026-12-04T09:00:00Z')) {
  return { at, now() { return this.at; } };
}

function notifyEnv(clock: { now(): number }, overrides: Record<string, string> = {}) {
  return {
    ...ENV,
    LIBSQL: own.RECEIVER_NOTIFY_LIBSQL,
    NOTIFY: own.NOTIFY,
    CLOCK: clock,
    SWEEP_TOKEN: 'sweep-token-notify',
    NOTIFY_SMTP_URL: 'smtp://desk:mail-password-never-shown@mail.test:587',
    NOTIFY_EMAIL_FROM: 'ops-desk@example.com',
    NOTIFY_EMAIL_TO: 'ana@example.com, rui@example.com',
    NOTIFY_WEBHOOK_URL: 'https://chat.test/hooks/secret-path',
    PUBLIC_ORIGIN: 'https://ops-desk.test',
    ALLOWED_HOSTS: 'localhost,ops-desk.test',
    ...overrides,
  };
}

/** Calls the receiver with an execution context, and waits for what it left to waitUntil (the intake's head start). */
async function fetchReceiver(path: string, init: RequestInit, bindings: object): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`http://ops-desk.test${path}`, init), bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const intake = (event: EventBody, bindings: object) =>
  fetchReceiver(ONBOARD, { method: 'POST', headers: { 'content-type': 'application/json', 'x-webhook-secret': SECRET }, body: JSON.stringify(event) }, bindings);

const sweep = async (bindings: object) =>
  (await (await fetchReceiver('/__internal/sweep', { method: 'POST', headers: { [SWEEP_TOKEN_HEADER]: 'sweep-token-notify' } }, bindings)).json()) as {
    notifications: { delivered: number; retrying: number; dead: number; escalated: number; digest: boolean };
  };

async function script(key: string, answers: string[]): Promise<void> {
  await own.NOTIFY.fetch('http://notify/__script', { method: 'POST', body: JSON.stringify({ key, answers }) });
}

async function relayed(key: string): Promise<{ path: string; body: Record<string, unknown>; answered: number }[]> {
  return (await own.NOTIFY.fetch(`http://notify/__sent?key=${key}`)).json();
}

async function rowsOf(bindings: object, ticketId: number) {
  return openDatabase(bindings as never).select().from(notifications).where(eq(notifications.ticketId, ticketId)).orderBy(notifications.seq);
}

/** Signs ana in on the desk; answers her session cookie. */
async function signedIn(bindings: object): Promise<string> {
  const res = await fetchReceiver('/desk/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://ops-desk.test' },
    body: 'username=ana&password=a+long+enough+password',
    redirect: 'manual',
  }, bindings);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

const failed = (reason = 'mailbox quota exceeded') => makeEvent({ event: 'onboarding.failed', data: { reason } });

describe('a ticket that notifies', () => {
  it('mails and chats the high-priority ticket at once: its subject, the facts, a link, a stable Message-ID', async () => {
    const clock = heldClock();
    const bindings = notifyEnv(clock);
    const event = failed();
    const res = await intake(event, bindings);
    expect(res.status).toBe(201);
    const { ticket_id } = (await res.json()) as { ticket_id: number };

    const [mail] = (await relayed(`ticket-${ticket_id}`)).filter((m) => m.path === '/mail');
    expect(mail!.body).toMatchObject({
      from: 'ops-desk@example.com',
      to: ['ana@example.com', 'rui@example.com'],
      subject: `[onboarding.failed] ${event.domain} \u2014 mailbox quota exceeded`,
      messageId: `<ticket-${ticket_id}.opened@example.com>`,
    });
    expect(mail!.body.inReplyTo).toBeUndefined();
    const text = String(mail!.body.text);
    expect(text).toContain(`Open the ticket: https://ops-desk.test/desk/tickets/${ticket_id}`);
    expect(text).toContain(`Session:  ${event.session_id}`);
    expect(text).toContain('Priority: high');
    expect(text).not.toContain('mail-password-never-shown');
    const [chat] = (await relayed(`ticket-${ticket_id}`)).filter((m) => m.path === '/chat');
    expect(String(chat!.body.text)).toContain(`https://ops-desk.test/desk/tickets/${ticket_id}`);

    const rows = await rowsOf(bindings, ticket_id);
    expect(rows.map((r) => [r.id, r.status])).toEqual([
      [`ticket-${ticket_id}.opened.email`, 'delivered'],
      [`ticket-${ticket_id}.opened.chat`, 'delivered'],
    ]);
  });

  it('puts nothing in line for a normal-priority ticket, a duplicate, or without channels', async () => {
    const clock = heldClock();
    const normal = (await (await intake(makeEvent(), notifyEnv(clock))).json()) as { ticket_id: number };
    expect(await rowsOf(notifyEnv(clock), normal.ticket_id)).toEqual([]);
    const event = failed();
    const first = (await (await intake(event, notifyEnv(clock))).json()) as { ticket_id: number };
    const repeat = await intake(event, notifyEnv(clock));
    expect(repeat.status).toBe(200);
    expect(await rowsOf(notifyEnv(clock), first.ticket_id)).toHaveLength(2);
    const quiet = notifyEnv(clock, { NOTIFY_SMTP_URL: '', NOTIFY_WEBHOOK_URL: '' });
    const unnotified = (await (await intake(failed(), quiet)).json()) as { ticket_id: number };
    expect(await rowsOf(quiet, unnotified.ticket_id)).toEqual([]);
  });

  it('writes the notification in the intake batch: it is in line even when the relay is down at the 201', async () => {
    const clock = heldClock();
    const bindings = notifyEnv(clock, { NOTIFY_WEBHOOK_URL: '' });
    const broken = { ...bindings, NOTIFY: { fetch: () => Promise.reject(new TypeError('connect ECONNREFUSED')) } };
    const { ticket_id } = (await (await intake(failed(), broken)).json()) as { ticket_id: number };
    const [row] = await rowsOf(bindings, ticket_id);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringContaining('could not be reached') });
    // The sweep sends it once its retry is due (1 s later), the same Message-ID.
    clock.at += 1000;
    expect((await sweep(bindings)).notifications.delivered).toBeGreaterThanOrEqual(1);
    expect((await rowsOf(bindings, ticket_id))[0]!.status).toBe('delivered');
    expect((await relayed(`ticket-${ticket_id}`)).at(-1)!.body.messageId).toBe(`<ticket-${ticket_id}.opened@example.com>`);
  });
});

describe('at least once', () => {
  it('sends the same Message-ID again when the process died between the send and its record', async () => {
    const clock = heldClock();
    const bindings = notifyEnv(clock, { NOTIFY_WEBHOOK_URL: '' });
    // The database takes the intake, then loses the attempt's record (as a crash right after the send would).
    let sent = false;
    const dying = {
      ...bindings,
      NOTIFY: { fetch: async (request: Request) => ((sent = true), own.NOTIFY.fetch(request)) },
      LIBSQL: {
        fetch: async (request: Request) => {
          if (sent && (await request.clone().text()).includes('notification_attempts')) throw new TypeError('the process died');
          return own.RECEIVER_NOTIFY_LIBSQL.fetch(request);
        },
      },
    };
    const { ticket_id } = (await (await intake(failed(), dying)).json()) as { ticket_id: number };
    expect(await relayed(`ticket-${ticket_id}`)).toHaveLength(1);
    expect((await rowsOf(bindings, ticket_id))[0]).toMatchObject({ status: 'pending', attempts: 0 });
    // Its lease runs out; the sweep sends it again, as the same message.
    clock.at += 61_000;
    await sweep(bindings);
    const both = await relayed(`ticket-${ticket_id}`);
    expect(both.map((m) => m.body.messageId)).toEqual([`<ticket-${ticket_id}.opened@example.com>`, `<ticket-${ticket_id}.opened@example.com>`]);
    expect((await rowsOf(bindings, ticket_id))[0]).toMatchObject({ status: 'delivered', attempts: 1 });
  });
});

describe('a relay that refuses', () => {
  it('retries on the fast schedule (1 s, 3 s, 9 s) and then sends', async () => {
    const clock = heldClock();
    const bindings = notifyEnv(clock, { NOTIFY_WEBHOOK_URL: '' });
    const event = failed();
    // The ticket's id is not known before the intake: script the next one (the relay answers by key).
    const next = Number((await (await fetchReceiver('/api/v1/tickets?limit=1', { headers: { authorization: `Bearer ${ENV.TICKETS_API_TOKEN}` } }, bindings)).json() as { tickets: { id: number }[] }).tickets[0]?.id ?? 0) + 1;
    await script(`ticket-${next}`, ['502', '502', '503']);
    const { ticket_id } = (await (await intake(event, bindings)).json()) as { ticket_id: number };
    expect(ticket_id).toBe(next);
    for (const wait of [1000, 3000, 9000]) {
      clock.at += wait - 1;
      await sweep(bindings);
      clock.at += 1;
      await sweep(bindings);
    }
    const [row] = await rowsOf(bindings, ticket_id);
    expect(row).toMatchObject({ status: 'delivered', attempts: 4 });
    const attempts = await openDatabase(bindings as never).select().from(notificationAttempts).where(eq(notificationAttempts.messageId, row!.id));
    expect(attempts.map((a) => [a.statusCode, a.outcome])).toEqual([
      [502, 'retry'],
      [502, 'retry'],
      [503, 'retry'],
      [200, 'delivered'],
    ]);
  });

  it('shows a notification the mail server refused for good as failed: on the ticket, in /metrics', async () => {
    const clock = heldClock();
    const bindings = notifyEnv(clock, { NOTIFY_WEBHOOK_URL: '', OPERATOR_USERS: await operatorEntry('ana', 'a long enough password') });
    const next = Number((await (await fetchReceiver('/api/v1/tickets?limit=1', { headers: { authorization: `Bearer ${ENV.TICKETS_API_TOKEN}` } }, bindings)).json() as { tickets: { id: number }[] }).tickets[0]?.id ?? 0) + 1;
    await script(`ticket-${next}`, ['422']);
    const { ticket_id } = (await (await intake(failed(), bindings)).json()) as { ticket_id: number };
    expect((await rowsOf(bindings, ticket_id))[0]).toMatchObject({ status: 'dead', attempts: 1 });

    const metrics = await (await fetchReceiver('/metrics', {}, bindings)).text();
    expect(Number(/^ops_webhook_receiver_notifications\{status="dead",channel="email"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);

    const cookie = await signedIn(bindings);
    const page = await (await fetchReceiver(`/desk/tickets/${ticket_id}`, { headers: { cookie } }, bindings)).text();
    expect(page).toContain('Mail: the ticket opened');
    expect(page).toContain('failed after 1 attempts');
    expect(page).toContain('1 of 1 failed');
    expect(page).toContain('scripted 422');
  });

  it('gives up after the whole schedule (about nine hours) when the relay never takes it', async () => {
    const clock = heldClock();
    const bindings = notifyEnv(clock, { NOTIFY_WEBHOOK_URL: '' });
    const next = Number((await (await fetchReceiver('/api/v1/tickets?limit=1', { headers: { authorization: `Bearer ${ENV.TICKETS_API_TOKEN}` } }, bindings)).json() as { tickets: { id: number }[] }).tickets[0]?.id ?? 0) + 1;
    await script(`ticket-${next}`, Array<string>(20).fill('502'));
    const { ticket_id } = (await (await intake(failed(), bindings)).json()) as { ticket_id: number };
    for (let i = 0; i < 12; i++) {
      clock.at += 7 * 60 * MINUTE;
      await sweep(bindings);
    }
    expect((await rowsOf(bindings, ticket_id))[0]).toMatchObject({ status: 'dead', attempts: 9 });
  });
});

describe('escalation', () => {
  it('reminds every ESCALATE_AFTER while nobody acknowledges, in the first notice\'s thread, at most ESCALATE_MAX times', async () => {
    const clock = heldClock();
    const bindings = notifyEnv(clock, { NOTIFY_WEBHOOK_URL: '', ESCALATE_AFTER: '15m', ESCALATE_MAX: '2', ESCALATE_TO: 'lead@example.com' });
    const { ticket_id } = (await (await intake(failed(), bindings)).json()) as { ticket_id: number };
    const reasons = async () => (await rowsOf(bindings, ticket_id)).map((r) => r.reason);
    clock.at += 14 * MINUTE;
    await sweep(bindings);
    expect(await reasons()).toEqual(['opened']);
    clock.at += MINUTE;
    await sweep(bindings);
    expect(await reasons()).toEqual(['opened', 'escalation-1']);
    clock.at += 15 * MINUTE;
    await sweep(bindings);
    clock.at += 60 * MINUTE;
    await sweep(bindings);
    const mails = (await relayed(`ticket-${ticket_id}`)).map((m) => m.body);
    expect(mails.map((m) => m.messageId)).toEqual([`<ticket-${ticket_id}.opened@example.com>`, `<ticket-${ticket_id}.escalation-1@example.com>`, `<ticket-${ticket_id}.escalation-2@example.com>`]);
    expect(mails[1]).toMatchObject({ to: ['lead@example.com'], inReplyTo: `<ticket-${ticket_id}.opened@example.com>`, references: [`<ticket-${ticket_id}.opened@example.com>`] });
    expect(mails[2]).toMatchObject({
      inReplyTo: `<ticket-${ticket_id}.escalation-1@example.com>`,
      references: [`<ticket-${ticket_id}.opened@example.com>`, `<ticket-${ticket_id}.escalation-1@example.com>`],
    });
    expect(String(mails[2]!.text)).toContain('reminder 2 of 2');
  });

  it('stops when the ticket is acknowledged, and drops a reminder not yet sent', async () => {
    const clock = heldClock();
    const bindings = notifyEnv(clock, { NOTIFY_WEBHOOK_URL: '', OPERATOR_USERS: await operatorEntry('ana', 'a long enough password') });
    const { ticket_id } = (await (await intake(failed(), bindings)).json()) as { ticket_id: number };
    const cookie = await signedIn(bindings);
    clock.at += 16 * MINUTE;
    // A reminder waits in line (the relay refuses it for now) when ana takes the ticket.
    await script(`ticket-${ticket_id}`, ['503', '503', '503']);
    await sweep(bindings);
    expect((await rowsOf(bindings, ticket_id)).map((r) => [r.reason, r.status])).toEqual([
      ['opened', 'delivered'],
      ['escalation-1', 'pending'],
    ]);
    const ack = await fetchReceiver(`/desk/tickets/${ticket_id}/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://ops-desk.test', cookie },
      body: 'action=acknowledge',
      redirect: 'manual',
    }, bindings);
    expect(ack.status).toBe(303);
    for (let i = 0; i < 6; i++) {
      clock.at += 15 * MINUTE;
      await sweep(bindings);
    }
    expect((await rowsOf(bindings, ticket_id)).map((r) => r.reason)).toEqual(['opened']);
  });
});

describe('the daily digest', () => {
  it('goes out once a day at DIGEST_AT in TZ, listing the open tickets by age', async () => {
    // 07:59 in Lisbon (UTC+0 in December): nothing yet.
    const clock = heldClock(Date.parse('2026-12-05T07:59:00Z'));
    const bindings = notifyEnv(clock, { NOTIFY_WEBHOOK_URL: '', DIGEST_AT: '08:00', TZ: 'Europe/Lisbon', ESCALATE_MAX: '0' });
    const { ticket_id } = (await (await intake(failed('the oldest one'), bindings)).json()) as { ticket_id: number };
    expect((await sweep(bindings)).notifications.digest).toBe(false);
    clock.at += MINUTE;
    expect((await sweep(bindings)).notifications.digest).toBe(true);
    clock.at += 10 * MINUTE;
    expect((await sweep(bindings)).notifications.digest).toBe(false);
    const digests = await relayed('digest');
    const today = digests.filter((d) => d.body.messageId === '<digest-2026-12-05.digest@example.com>');
    expect(today).toHaveLength(1);
    expect(String(today[0]!.body.subject)).toMatch(/^Ops desk: \d+ open tickets? \(2026-12-05\)$/);
    expect(String(today[0]!.body.text)).toContain(`https://ops-desk.test/desk/tickets/${ticket_id}`);
    // The next day, again.
    clock.at += 24 * 60 * MINUTE;
    expect((await sweep(bindings)).notifications.digest).toBe(true);
  });

  it('skips a day whose digest time the receiver slept through by more than three hours', async () => {
    const clock = heldClock(Date.parse('2026-12-07T12:00:00Z'));
    const bindings = notifyEnv(clock, { NOTIFY_WEBHOOK_URL: '', DIGEST_AT: '08:00', TZ: 'Europe/Lisbon' });
    expect((await sweep(bindings)).notifications.digest).toBe(false);
  });
});

describe('the settings', () => {
  const base = { WEBHOOK_SECRET: SECRET, PUBLIC_ORIGIN: 'https://ops-desk.test' };
  const problems = (settings: Record<string, string>) => {
    try {
      loadConfig(RECEIVER_CONFIG, { ...base, ...settings });
      return '';
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
  };

  it('refuses mail without a sender and recipients, and notifications without PUBLIC_ORIGIN, naming the variables', () => {
    expect(problems({ NOTIFY_SMTP_URL: 'smtp://u:p@mail.test' })).toMatch(/NOTIFY_EMAIL_FROM.*NOTIFY_EMAIL_TO|NOTIFY_EMAIL_TO.*NOTIFY_EMAIL_FROM/s);
    expect(problems({ NOTIFY_WEBHOOK_URL: 'https://chat.test/x', PUBLIC_ORIGIN: '' })).toContain('PUBLIC_ORIGIN');
  });

  it('refuses a plaintext scheme, a bad address, a bad time and zone, and never repeats the password', () => {
    const message = problems({ NOTIFY_SMTP_URL: 'http://user:hunter2-secret@mail.test', NOTIFY_EMAIL_FROM: 'a@b.test', NOTIFY_EMAIL_TO: 'x@y.test' });
    expect(message).toContain('NOTIFY_SMTP_URL');
    expect(message).not.toContain('hunter2-secret');
    expect(problems({ NOTIFY_SMTP_URL: 'smtp://mail.test', NOTIFY_EMAIL_FROM: 'a@b.test', NOTIFY_EMAIL_TO: 'x@y.test, not-an-address' })).toContain('entry 2');
    expect(problems({ DIGEST_AT: '25:00' })).toContain('DIGEST_AT');
    expect(problems({ TZ: 'Mars/Olympus' })).toContain('TZ');
    expect(problems({ ESCALATE_AFTER: 'soon' })).toContain('ESCALATE_AFTER');
    expect(problems({ NOTIFY_SMTP_URL: 'smtps://u:p@mail.test:465', NOTIFY_EMAIL_FROM: 'a@b.test', NOTIFY_EMAIL_TO: 'x@y.test', DIGEST_AT: '08:30', TZ: 'Europe/Lisbon', ESCALATE_AFTER: '90s' })).toBe('');
  });
});
