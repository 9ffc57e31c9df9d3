/**
 * The desk and the console as routes: who gets in (operators only, never machines' credentials),
 * the session cookie, cross-site refusal, throttling, the ticket actions and what they change,
 * and the console's redelivery. The real browser tests are in test/node/operator-pages.test.ts.
 */
import { env } from 'cloudflare:test';
import { desc, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connection';
import { operatorSessions } from '../../db/operator-auth';
import { tickets, webhookEvents } from '../../db/receiver/schema';
import { operatorEntry } from '../../functions/operator-area/password';
import { followUp, makeEvent } from '../support/factories';
import { callEmitter, emit, emitterEnv, sweepUntil } from './emitter-helpers';
import { call, deliver, ENV, SECRET } from './helpers';

const PASSWORD = 'a long enough password';
const ORIGIN = 'http://desk.test';
let USERS = '';

beforeAll(async () => {
  USERS = [await operatorEntry('alice', PASSWORD), await operatorEntry('bob', `${PASSWORD}-bob`)].join(',');
});

const desk = () => ({ ...ENV, OPERATOR_USERS: USERS });

async function signIn(bindings: object, name = 'alice', password = PASSWORD): Promise<Response> {
  return call(`${ORIGIN}/desk/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
    body: new URLSearchParams({ username: name, password }).toString(),
    redirect: 'manual',
  }, bindings);
}

function cookieOf(res: Response): string {
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

function post(path: string, cookie: string, form: Record<string, string>, bindings: object, origin = ORIGIN) {
  return call(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin, cookie },
    body: new URLSearchParams(form).toString(),
    redirect: 'manual',
  }, bindings);
}

describe('who may open the desk', () => {
  it('answers 404 for /desk while OPERATOR_USERS is not set', async () => {
    expect((await call('/desk')).status).toBe(404);
    expect((await call('/desk/login')).status).toBe(404);
  });

  it('sends a visitor without a session to the sign-in page, whose fields are labelled', async () => {
    const res = await call('/desk', { redirect: 'manual' }, desk());
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/\/desk\/login$/);
    const page = await (await call('/desk/login', {}, desk())).text();
    expect(page).toMatch(/Username<input/);
    expect(page).toMatch(/Password<input[^>]*type="password"/);
    expect(page).toContain('Sign in</button>');
  });

  it('signs in with the right password: an HttpOnly, SameSite=Strict cookie for /desk, Secure over https', async () => {
    const res = await signIn(desk());
    expect(res.status).toBe(303);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^ops_desk_session=[A-Za-z0-9_-]{40,};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/desk/);
    expect(cookie).not.toMatch(/Secure/);
    const secure = await call('https://desk.test/desk/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://desk.test' },
      body: new URLSearchParams({ username: 'alice', password: PASSWORD }).toString(),
      redirect: 'manual',
    }, desk());
    expect(secure.headers.get('set-cookie')).toMatch(/Secure/);
    const page = await call('/desk', { headers: { cookie: cookieOf(res) } }, desk());
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await page.text()).toContain('Signed in as alice');
  });

  it('refuses a wrong password with 401 and records nothing of it but the failure', async () => {
    const res = await signIn(desk(), 'alice', 'not the password at all');
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('refuses an oversized sign-in form with 413, before any hashing', async () => {
    const res = await call(`${ORIGIN}/desk/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
      body: `username=alice&password=${'x'.repeat(20_000)}`,
    }, desk());
    expect(res.status).toBe(413);
  });

  it('never opens the desk with the webhook secret, and never takes a desk session for webhook intake', async () => {
    const withSecret = await call('/desk', { headers: { 'x-webhook-secret': SECRET }, redirect: 'manual' }, desk());
    expect(withSecret.status).toBe(303);
    const cookie = cookieOf(await signIn(desk()));
    const intake = await call('/api/v1/webhooks/onboard', {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, origin: ORIGIN },
      body: JSON.stringify(makeEvent()),
    }, desk());
    expect(intake.status).toBe(401);
  });

  it('refuses a state-changing request from another origin with 403, even with a valid session', async () => {
    const cookie = cookieOf(await signIn(desk()));
    const { ticket_id } = (await (await deliver(makeEvent(), {}, desk())).json()) as { ticket_id: number };
    const res = await post(`/desk/tickets/${ticket_id}/actions`, cookie, { action: 'close' }, desk(), 'http://evil.example');
    expect(res.status).toBe(403);
    const [row] = await openDatabase(ENV).select().from(tickets).where(eq(tickets.id, ticket_id));
    expect(row!.status).toBe('open');
  });

  it('ends the session on sign-out, server-side', async () => {
    const cookie = cookieOf(await signIn(desk()));
    expect((await post('/desk/logout', cookie, {}, desk())).status).toBe(303);
    expect((await call('/desk', { headers: { cookie }, redirect: 'manual' }, desk())).status).toBe(303);
  });

  it('sends a list that refreshes itself to the sign-in page once its session has ended', async () => {
    const res = await call('/desk/fragment', { headers: { 'hx-request': 'true' }, redirect: 'manual' }, desk());
    expect(res.status).toBe(200);
    expect(res.headers.get('hx-redirect')).toBe('/desk/login');
    expect(await res.text()).toBe('');
  });

  it('ends an idle session after OPERATOR_SESSION_IDLE', async () => {
    const bindings = { ...desk(), OPERATOR_SESSION_IDLE: '200ms' };
    const cookie = cookieOf(await signIn(bindings));
    expect((await call('/desk', { headers: { cookie } }, bindings)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 350));
    expect((await call('/desk', { headers: { cookie }, redirect: 'manual' }, bindings)).status).toBe(303);
  });
});

describe('ticket actions on the desk', () => {
  it('records acknowledge, note, close and reopen on the timeline with the operator, escaping what events carry', async () => {
    const cookie = cookieOf(await signIn(desk()));
    const event = makeEvent({ event: 'onboarding.failed', data: { reason: '<script>alert(1)</script> quota' } });
    const { ticket_id } = (await (await deliver(event, {}, desk())).json()) as { ticket_id: number };
    for (const form of [{ action: 'acknowledge' }, { action: 'note', note: 'Called them <b>now</b>' }, { action: 'close' }, { action: 'reopen' }] as Record<string, string>[]) {
      const res = await post(`/desk/tickets/${ticket_id}/actions`, cookie, form, desk());
      expect(res.status, form.action).toBe(303);
    }
    const page = await (await call(`/desk/tickets/${ticket_id}`, { headers: { cookie } }, desk())).text();
    expect(page).toContain('alice</strong> took the ticket');
    expect(page).toContain('alice</strong> added a note');
    expect(page).toContain('alice</strong> closed the ticket');
    expect(page).toContain('alice</strong> reopened the ticket');
    expect(page).toContain('Called them &lt;b&gt;now&lt;/b&gt;');
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt; quota');
    const [row] = await openDatabase(ENV).select().from(tickets).where(eq(tickets.id, ticket_id));
    expect(row).toMatchObject({ status: 'open', assignedTo: 'alice' });
  });

  it('refuses an empty note and an unknown action with 400, and a missing ticket with 404', async () => {
    const cookie = cookieOf(await signIn(desk()));
    const { ticket_id } = (await (await deliver(makeEvent(), {}, desk())).json()) as { ticket_id: number };
    expect((await post(`/desk/tickets/${ticket_id}/actions`, cookie, { action: 'note', note: '  ' }, desk())).status).toBe(400);
    expect((await post(`/desk/tickets/${ticket_id}/actions`, cookie, { action: 'delete' }, desk())).status).toBe(400);
    expect((await post('/desk/tickets/99999999/actions', cookie, { action: 'close' }, desk())).status).toBe(404);
  });

  it('leaves deduplication alone when a ticket is closed, and puts a later event of its session on its timeline', async () => {
    const cookie = cookieOf(await signIn(desk()));
    const opening = makeEvent();
    const first = (await (await deliver(opening, {}, desk())).json()) as { ticket_id: number; event_id: number };
    expect((await post(`/desk/tickets/${first.ticket_id}/actions`, cookie, { action: 'close' }, desk())).status).toBe(303);
    const repeat = await deliver(opening, {}, desk());
    expect(repeat.status).toBe(200);
    expect(((await repeat.json()) as { ticket_id: number }).ticket_id).toBe(first.ticket_id);
    const later = (await (await deliver(followUp(opening, 'dns.applied'), {}, desk())).json()) as { ticket_id: number; event_id: number };
    expect(later.ticket_id).toBe(first.ticket_id);
    const [ticket] = await openDatabase(ENV).select().from(tickets).where(eq(tickets.id, first.ticket_id));
    expect(ticket!.status).toBe('closed');
    const [row] = await openDatabase(ENV).select().from(webhookEvents).where(eq(webhookEvents.id, later.event_id));
    expect(row!.ticketId).toBe(first.ticket_id);
  });
});

describe('the live desk', () => {
  /** Reads the stream until `until` holds for what arrived, or fails after `ms`. */
  async function readUntil(res: Response, until: (text: string) => boolean, ms = 5000): Promise<string> {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const deadline = Date.now() + ms;
    while (!until(text)) {
      if (Date.now() > deadline) throw new Error(`the stream said only: ${text}`);
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    await reader.cancel();
    return text;
  }

  it('streams a change to an open desk as server-sent events', async () => {
    const cookie = cookieOf(await signIn(desk()));
    const res = await call('/desk/live', { headers: { cookie } }, desk());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const changed = readUntil(res, (text) => text.includes('event: changed'));
    await new Promise((r) => setTimeout(r, 300));
    await deliver(makeEvent({ event: 'onboarding.failed', data: { reason: 'live' } }), {}, desk());
    const text = await changed;
    expect(text).toMatch(/^retry: \d+\nevent: ready\n/);
    expect(text).toMatch(/\nid: [\d.]+\nevent: changed\ndata: [\d.]+\n\n/);
  });

  it('sends a change made between the page and its stream at once (since, Last-Event-ID)', async () => {
    const cookie = cookieOf(await signIn(desk()));
    const stale = await call('/desk/live?since=0.0.0.0.0', { headers: { cookie } }, desk());
    expect(await readUntil(stale, (text) => text.includes('event: changed'), 1000)).toContain('event: changed');
    const current = (await readUntil(await call('/desk/live', { headers: { cookie } }, desk()), (text) => text.includes('event: ready'))).match(/event: ready\ndata: ([\d.]+)/)![1]!;
    const resumed = await call('/desk/live?since=0.0.0.0.0', { headers: { cookie, 'last-event-id': current } }, desk());
    const text = await readUntil(resumed, (t) => t.includes('event: ready'));
    await new Promise((r) => setTimeout(r, 400));
    expect(text).not.toContain('event: changed');
  });

  it('keeps no session alive while it streams, and sends a stranger to sign in', async () => {
    const clock = { at: Date.now(), now() { return this.at; } };
    const bindings = { ...desk(), CLOCK: clock, OPERATOR_SESSION_IDLE: '10m' };
    const cookie = cookieOf(await signIn(bindings));
    const [before] = await openDatabase(ENV).select().from(operatorSessions).where(eq(operatorSessions.operator, 'alice')).orderBy(desc(operatorSessions.lastSeenAt)).limit(1);
    clock.at += 5 * 60_000;
    const res = await call('/desk/live', { headers: { cookie } }, bindings);
    await readUntil(res, (text) => text.includes('event: ready'));
    const [after] = await openDatabase(ENV).select().from(operatorSessions).where(eq(operatorSessions.id, before!.id));
    expect(after!.lastSeenAt).toBe(before!.lastSeenAt);
    expect((await call('/desk/live', { redirect: 'manual' }, desk())).status).toBe(303);
  });

  it('marks the list and the ticket page live, with polling as the fallback, and serves the script', async () => {
    const cookie = cookieOf(await signIn(desk()));
    const list = await (await call('/desk', { headers: { cookie } }, desk())).text();
    expect(list).toMatch(/data-live="\/desk\/live\?since=[\d.%E]+"/);
    expect(list).toContain('hx-trigger="every 5s, live-change"');
    expect(list).toContain('<script src="/desk/assets/live.js" defer="">');
    const { ticket_id } = (await (await deliver(makeEvent(), {}, desk())).json()) as { ticket_id: number };
    const page = await (await call(`/desk/tickets/${ticket_id}`, { headers: { cookie } }, desk())).text();
    expect(page).toContain('id="ticket-live"');
    // The note's form is outside every live part: a refresh never takes away what is being typed.
    const live = page.slice(page.indexOf('id="ticket-live"'));
    expect(live).not.toContain('<textarea');
    const script = await call('/desk/assets/live.js', {}, desk());
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain("new EventSource(first.getAttribute('data-live'))");
  });
});

describe("an onboarding's story", () => {
  it('shows every event of a session in order with its ticket, and links each ticket page to it and to the other tickets', async () => {
    const cookie = cookieOf(await signIn(desk()));
    const created = makeEvent();
    const first = (await (await deliver(created, {}, desk())).json()) as { ticket_id: number };
    await deliver(followUp(created, 'domain.validated'), {}, desk());
    const failed = (await (await deliver(followUp(created, 'onboarding.failed', { reason: 'mailbox quota' }), {}, desk())).json()) as { ticket_id: number };
    expect(failed.ticket_id).not.toBe(first.ticket_id);
    const path = `/desk/sessions/${encodeURIComponent(created.session_id)}`;

    const page = await (await call(path, { headers: { cookie } }, desk())).text();
    const order = ['account.created', 'domain.validated', 'onboarding.failed'].map((type) => page.indexOf(`<strong>${type}</strong>`));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(page).toContain(`href="/desk/tickets/${first.ticket_id}"`);
    expect(page).toContain(`href="/desk/tickets/${failed.ticket_id}"`);
    expect(page).toContain('3 events · 2 tickets');

    const ticketPage = await (await call(`/desk/tickets/${first.ticket_id}`, { headers: { cookie } }, desk())).text();
    expect(ticketPage).toContain(`href="${path}"`);
    expect(ticketPage).toContain('Other tickets of this onboarding');
    expect(ticketPage).toContain(`href="/desk/tickets/${failed.ticket_id}"`);
  });

  it('answers 404 for a session with no events, and sends a stranger to sign in', async () => {
    const cookie = cookieOf(await signIn(desk()));
    expect((await call('/desk/sessions/no-such-session', { headers: { cookie } }, desk())).status).toBe(404);
    expect((await call(`/desk/sessions/${'x'.repeat(300)}`, { headers: { cookie } }, desk())).status).toBe(404);
    expect((await call('/desk/sessions/anything', { redirect: 'manual' }, desk())).status).toBe(303);
  });

  it('keeps a ticket without other tickets free of the list', async () => {
    const cookie = cookieOf(await signIn(desk()));
    const { ticket_id } = (await (await deliver(makeEvent(), {}, desk())).json()) as { ticket_id: number };
    const ticketPage = await (await call(`/desk/tickets/${ticket_id}`, { headers: { cookie } }, desk())).text();
    expect(ticketPage).not.toContain('Other tickets of this onboarding');
  });
});

describe('sign-in throttling', () => {
  it('answers 429 after 5 failures for one user within 15 minutes, even to the right password', async () => {
    const bindings = { ...desk(), LIBSQL: (env as unknown as { RECEIVER_THROTTLE_LIBSQL: Fetcher }).RECEIVER_THROTTLE_LIBSQL };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await signIn(bindings, 'bob', `wrong password ${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const right = await signIn(bindings, 'bob', `${PASSWORD}-bob`);
    expect(right.status).toBe(429);
    expect(right.headers.get('retry-after')).toBe('900');
  });
});

describe('the delivery console', () => {
  const consoleEnv = (overrides = {}) => emitterEnv({ OPERATOR_USERS: USERS, ...overrides });

  it('answers 404 without OPERATOR_USERS, and never opens with EMITTER_API_TOKEN', async () => {
    expect((await callEmitter('/console')).status).toBe(404);
    const bindings = consoleEnv({ EMITTER_API_TOKEN: 'api-token-0123456789abcdef' });
    const res = await callEmitter('/console', { headers: { authorization: 'Bearer api-token-0123456789abcdef' }, redirect: 'manual' }, bindings);
    expect(res.status).toBe(303);
  });

  it('shows a dead message with its body and attempts, and redelivers it from its page', async () => {
    const bindings = consoleEnv();
    const signedIn = await callEmitter('/console/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://emitter.test' },
      body: new URLSearchParams({ username: 'alice', password: PASSWORD }).toString(),
      redirect: 'manual',
    }, bindings);
    expect(signedIn.status).toBe(303);
    const cookie = cookieOf(signedIn);
    const event = makeEvent({ data: { admin_email: 'a@example.com', script: ['422', '201'] } });
    const { id } = (await (await emit(event, bindings)).json()) as { id: string };
    await sweepUntil(async () => ((await (await callEmitter(`/v1/deliveries/${id}`, {}, bindings)).json()) as { delivery: { status: string } }).delivery.status === 'dead', bindings);
    const list = await (await callEmitter('/console?status=dead', { headers: { cookie } }, bindings)).text();
    expect(list).toContain(`/console/messages/${id}`);
    const page = await (await callEmitter(`/console/messages/${id}`, { headers: { cookie } }, bindings)).text();
    expect(page).toContain('HTTP 422');
    expect(page).toContain(event.session_id);
    const redeliver = await callEmitter(`/console/messages/${id}/redeliver`, { method: 'POST', headers: { cookie, origin: 'http://emitter.test' }, redirect: 'manual' }, bindings);
    expect(redeliver.status).toBe(303);
    await sweepUntil(async () => ((await (await callEmitter(`/v1/deliveries/${id}`, {}, bindings)).json()) as { delivery: { status: string } }).delivery.status === 'delivered', bindings);
    const cross = await callEmitter(`/console/messages/${id}/redeliver`, { method: 'POST', headers: { cookie, origin: 'http://evil.example' }, redirect: 'manual' }, bindings);
    expect(cross.status).toBe(403);
  });
});
