/**
 * When an operator's session ends: a new password, the absolute lifetime, an idle tab whose list
 * refreshes itself; what the sweep removes; and the throttle's own pieces (the check slots, the
 * failure log's pace). Session limits are short through configuration, as an operator would set them.
 */
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connection';
import { createSession, findSession, purgeSignInState, recordSignInAttempt } from '../../db/operator-auth';
import { operatorEntry } from '../../functions/operator-area/password';
import { failureToLog, withCheckSlot } from '../../functions/operator-area/sign-in-throttle';
import { call, ENV } from './helpers';

const PASSWORD = 'a long enough password';
const ORIGIN = 'http://desk.test';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function signedIn(bindings: object): Promise<string> {
  const res = await call(`${ORIGIN}/desk/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
    body: new URLSearchParams({ username: 'carol', password: PASSWORD }).toString(),
    redirect: 'manual',
  }, bindings);
  expect(res.status).toBe(303);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

/** GET the desk list as the person (a click) or as its own 5-second refresh (htmx, triggered by the list). */
function openDesk(cookie: string, bindings: object, by: 'person' | 'self-refresh' = 'person'): Promise<Response> {
  const refresh: Record<string, string> = by === 'self-refresh' ? { 'hx-request': 'true', 'hx-trigger': 'tickets' } : {};
  return call(`${ORIGIN}/desk`, { headers: { cookie, ...refresh }, redirect: 'manual' }, bindings);
}

const signedOut = (res: Response) => res.status === 303 || res.headers.get('hx-redirect') === '/desk/login';

describe('operator sessions end', () => {
  it('when the operator gets a new password: the old cookie shows the sign-in page', async () => {
    const before = { ...ENV, OPERATOR_USERS: await operatorEntry('carol', PASSWORD) };
    const cookie = await signedIn(before);
    expect((await openDesk(cookie, before)).status).toBe(200);
    const after = { ...ENV, OPERATOR_USERS: await operatorEntry('carol', `${PASSWORD} renewed`) };
    const res = await openDesk(cookie, after);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/desk/login');
    // Even back under the old entry, that session is gone.
    expect((await openDesk(cookie, before)).status).toBe(303);
  });

  it('after OPERATOR_SESSION_MAX, however busy', async () => {
    const bindings = { ...ENV, OPERATOR_USERS: await operatorEntry('carol', PASSWORD), OPERATOR_SESSION_MAX: '600ms' };
    const cookie = await signedIn(bindings);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await openDesk(cookie, bindings)).status);
      await sleep(100);
    }
    expect(statuses).toEqual([200, 200, 200, 200]);
    await sleep(400);
    expect((await openDesk(cookie, bindings)).status).toBe(303);
  });

  it('after OPERATOR_SESSION_IDLE in a tab whose list only refreshes itself, while a person keeps one alive', async () => {
    const bindings = { ...ENV, OPERATOR_USERS: await operatorEntry('carol', PASSWORD), OPERATOR_SESSION_IDLE: '400ms' };
    const unattended = await signedIn(bindings);
    const attended = await signedIn(bindings);
    const unattendedSeen: boolean[] = [];
    for (let i = 0; i < 8; i++) {
      unattendedSeen.push(signedOut(await openDesk(unattended, bindings, 'self-refresh')));
      expect(signedOut(await openDesk(attended, bindings, 'person'))).toBe(false);
      await sleep(100);
    }
    // Signed in at first, signed out once the idle time has passed with only the list asking.
    expect(unattendedSeen.slice(0, 2)).toEqual([false, false]);
    expect(unattendedSeen.at(-1)).toBe(true);
    expect(signedOut(await openDesk(attended, bindings))).toBe(false);
  });
});

describe('the sign-in sweep', () => {
  it('deletes sessions past either limit and attempts older than the window, and keeps the rest', async () => {
    const db = openDatabase(ENV);
    const now = Date.now();
    const tag = crypto.randomUUID();
    // Generous limits: other test files' fresh sessions in the same database must survive this sweep.
    const limits = { idleMs: 300_000, maxMs: 3_600_000 };
    await createSession(db, `idle-${tag}`, 'carol', 'x', now - 600_000);
    await createSession(db, `old-${tag}`, 'carol', 'x', now - 7_200_000);
    await createSession(db, `live-${tag}`, 'carol', 'x', now - 1000);
    await recordSignInAttempt(db, `old-${tag}`, [{ key: `user:sweep-${tag}`, max: 99 }], now - 20 * 60_000, 0);
    await recordSignInAttempt(db, `new-${tag}`, [{ key: `user:sweep-${tag}`, max: 99 }], now - 1000, 0);
    const swept = await purgeSignInState(db, now, limits, now - 15 * 60_000);
    expect(swept.sessions).toBeGreaterThanOrEqual(2);
    expect(await findSession(db, `live-${tag}`, now, limits)).toBeDefined();
    expect(await findSession(db, `old-${tag}`, now, { idleMs: Infinity, maxMs: Infinity })).toBeUndefined();
    const counts = await recordSignInAttempt(db, `probe-${tag}`, [{ key: `user:sweep-${tag}`, max: 99 }], now, 0);
    expect(counts.get(`user:sweep-${tag}`)).toBe(2);
  });
});

describe('the sign-in throttle', () => {
  it('records an attempt and, in the same batch, takes it back when a key is over its limit', async () => {
    const db = openDatabase(ENV);
    const key = `pair:test ${crypto.randomUUID()}`;
    const seen: number[] = [];
    for (let i = 0; i < 7; i++) seen.push((await recordSignInAttempt(db, `a${i}-${key}`, [{ key, max: 5 }], Date.now(), 0)).get(key)!);
    // Each over-limit attempt saw itself (6), then took its row back: the count stays at the limit.
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 6]);
  });

  it('runs at most two password checks at once, lets a few wait their turn, and refuses the rest at once', async () => {
    let running = 0;
    let most = 0;
    const check = async () => {
      running += 1;
      most = Math.max(most, running);
      await sleep(30);
      running -= 1;
      return true;
    };
    const results = await Promise.all(Array.from({ length: 12 }, () => withCheckSlot(check)));
    expect(most).toBe(2);
    expect(results.filter((r) => r === true)).toHaveLength(6);
    expect(results.filter((r) => r === undefined)).toHaveLength(6);
    // Once they are done, the slots are free again.
    expect(await withCheckSlot(check)).toBe(true);
  });

  it('logs failures for one name and address at most once a minute, with how many the line stands for', () => {
    const t0 = 1_000_000;
    const name = `log-${crypto.randomUUID()}`;
    expect(failureToLog(name, '192.0.2.1', t0)).toBe(1);
    for (let i = 1; i <= 9; i++) expect(failureToLog(name, '192.0.2.1', t0 + i * 1000)).toBeUndefined();
    // Another address is another line.
    expect(failureToLog(name, '192.0.2.2', t0 + 5000)).toBe(1);
    expect(failureToLog(name, '192.0.2.1', t0 + 61_000)).toBe(10);
  });
});
