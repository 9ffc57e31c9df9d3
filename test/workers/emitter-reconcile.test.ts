/**
 * Reconciliation against a fake receiver that forgets, as one restored from an older backup does:
 * what it reports missing is sent again (recorded as `reconcile`), what it has stays delivered,
 * a pass that cannot reach it changes nothing, and RECONCILE_INTERVAL paces the passes.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { EMITTER_CONFIG, type EmitterBindings } from '../../functions/emitter/config';
import { cronDeliveryDeps } from '../../functions/emitter/ops-outbox/deps';
import { reconcile, reconcileIfDue } from '../../functions/emitter/ops-outbox/reconcile';
import { loadConfig } from '../../functions/platform/settings/config';
import { operatorEntry } from '../../functions/operator-area/password';
import { createLogger } from '../../functions/platform/logger';
import { makeEvent } from '../support/factories';
import { callEmitter, delivery, emit, emitterEnv, opsForget, received, setOpsDown, sweepUntil } from './emitter-helpers';

const own = (overrides: Partial<Record<keyof EmitterBindings, unknown>> = {}) =>
  emitterEnv({ LIBSQL: (env as unknown as { EMITTER_RECONCILE_LIBSQL: Fetcher }).EMITTER_RECONCILE_LIBSQL, ...overrides });

function depsOf(bindings: EmitterBindings, now = () => Date.now()) {
  const deps = cronDeliveryDeps(bindings, loadConfig(EMITTER_CONFIG, bindings as unknown as Record<string, unknown>), createLogger('error'));
  return { ...deps, now };
}

async function deliveredEvent(bindings: EmitterBindings) {
  const event = makeEvent();
  const { id } = (await (await emit(event, bindings)).json()) as { id: string };
  await sweepUntil(async () => (await delivery(id, bindings)).delivery.status === 'delivered', bindings);
  return { id, event };
}

describe('emitter: reconciliation', () => {
  it('sends again exactly what the receiver has no record of, recorded as reconcile, and leaves the rest delivered', async () => {
    const bindings = own();
    const kept = await deliveredEvent(bindings);
    const lost = [await deliveredEvent(bindings), await deliveredEvent(bindings)];
    await opsForget(lost.map((l) => l.event.session_id));

    const summary = await reconcile(depsOf(bindings));
    expect(summary).toMatchObject({ ok: true, missing: 2, requeued: 2 });
    expect(summary.checked).toBeGreaterThanOrEqual(3);
    for (const { id } of lost) expect((await delivery(id, bindings)).delivery.status).toBe('pending');
    expect((await delivery(kept.id, bindings)).delivery.status).toBe('delivered');

    await sweepUntil(async () => (await Promise.all(lost.map(async ({ id }) => (await delivery(id, bindings)).delivery.status))).every((s) => s === 'delivered'), bindings);
    for (const { id, event } of lost) {
      const { attempts } = await delivery(id, bindings);
      expect(attempts.at(-1)).toMatchObject({ trigger: 'reconcile', outcome: 'delivered' });
      expect(await received(event.session_id)).toHaveLength(2);
    }
    expect(await received(kept.event.session_id)).toHaveLength(1);
    // The receiver has them all again: the next pass finds nothing missing.
    expect(await reconcile(depsOf(bindings))).toMatchObject({ ok: true, missing: 0, requeued: 0 });
  });

  it('changes nothing when the receiver cannot be reached, says why, and succeeds at the next pass', async () => {
    const bindings = own();
    const lost = await deliveredEvent(bindings);
    await opsForget([lost.event.session_id]);
    await setOpsDown(true);
    try {
      const failed = await reconcile(depsOf(bindings));
      expect(failed).toMatchObject({ ok: false, missing: 0, requeued: 0 });
      expect(failed.error).toMatch(/503/);
      expect((await delivery(lost.id, bindings)).delivery.status).toBe('delivered');
    } finally {
      await setOpsDown(false);
    }
    expect(await reconcile(depsOf(bindings))).toMatchObject({ ok: true, missing: 1, requeued: 1 });
  });

  it('runs a pass once per RECONCILE_INTERVAL, and never with 0', async () => {
    let now = Date.now() + 365 * 86_400_000;
    const clock = () => now;
    expect(await reconcileIfDue(depsOf(own({ RECONCILE_INTERVAL: '0' }), clock))).toBeUndefined();
    const paced = own({ RECONCILE_INTERVAL: '10m' });
    expect(await reconcileIfDue(depsOf(paced, clock))).toMatchObject({ ok: true });
    now += 9 * 60_000;
    expect(await reconcileIfDue(depsOf(paced, clock))).toBeUndefined();
    now += 2 * 60_000;
    expect(await reconcileIfDue(depsOf(paced, clock))).toMatchObject({ ok: true });
  });

  it('asks only about messages delivered within RECONCILE_WINDOW', async () => {
    const bindings = own();
    await deliveredEvent(bindings);
    // A window that starts in the future holds nothing.
    const later = Date.now() + 30 * 86_400_000;
    expect(await reconcile(depsOf(own({ RECONCILE_WINDOW: '1d' }), () => later))).toMatchObject({ ok: true, checked: 0 });
  });
});

describe('the console: reconciliation', () => {
  it('shows the last pass at the top of the list, runs one on "Reconcile now", and marks a repaired message', async () => {
    const password = 'a long enough password';
    const bindings = own({ OPERATOR_USERS: await operatorEntry('dana', password) });
    const origin = 'http://emitter.test';
    const signedIn = await callEmitter('/console/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams({ username: 'dana', password }).toString(),
      redirect: 'manual',
    }, bindings);
    const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
    const lost = await deliveredEvent(bindings);
    await opsForget([lost.event.session_id]);

    const now = await callEmitter('/console/reconcile', { method: 'POST', headers: { cookie, origin }, redirect: 'manual' }, bindings);
    expect(now.status).toBe(303);
    expect(now.headers.get('location')).toBe('/console?done=reconciled');
    const list = await (await callEmitter('/console?done=reconciled', { headers: { cookie } }, bindings)).text();
    expect(list).toContain('Reconciliation with Ops');
    expect(list).toMatch(/1 missing at Ops and sent again \(1 requeued\)/);
    // Same-origin only, like every other action.
    expect((await callEmitter('/console/reconcile', { method: 'POST', headers: { cookie, origin: 'http://evil.example' }, redirect: 'manual' }, bindings)).status).toBe(403);

    await sweepUntil(async () => (await delivery(lost.id, bindings)).delivery.status === 'delivered', bindings);
    const page = await (await callEmitter(`/console/messages/${lost.id}`, { headers: { cookie } }, bindings)).text();
    expect(page).toContain('Repaired by reconciliation');
    expect(page).toContain('(reconcile)');
  });
});
