/**
 * Every job of the emitter's sweep, through both ways it runs: the host's route
 * (POST /__internal/sweep) and the Cloudflare cron (`scheduled()`). Each is driven on the
 * clock the test holds (the CLOCK binding) and answers exactly what it did.
 */
import { describe, expect, it } from 'vitest';
import emitter from '../../functions/emitter/index';
import type { SweepJobsSummary } from '../../functions/emitter/sweep/sweep-jobs';
import { makeEvent } from '../support/factories';
import { callEmitter, delivery, emit, emitterEnv, received, setOpsDown } from './emitter-helpers';

/** A clock that moves only when the test moves it. */
function testClock() {
  const clock = { at: Date.now(), now: () => clock.at, advance: (ms: number) => void (clock.at += ms) };
  return clock;
}

/** An event accepted while Ops is down: pending, its first retry due a second later. */
async function pendingEvent(bindings: ReturnType<typeof emitterEnv>) {
  await setOpsDown(true);
  try {
    const event = makeEvent();
    const { id } = (await (await emit(event, bindings)).json()) as { id: string };
    expect((await delivery(id, bindings)).delivery.status).toBe('pending');
    return { event, id };
  } finally {
    await setOpsDown(false);
  }
}

describe('the sweep jobs', () => {
  it('run through the route: what is due is delivered, and the answer says exactly what happened', async () => {
    const clock = testClock();
    const bindings = emitterEnv({ CLOCK: clock, RECONCILE_INTERVAL: '0', PROBE_INTERVAL_MS: '3600000' });
    const sweep = async () => (await (await callEmitter('/__internal/sweep', { method: 'POST', headers: { 'x-sweep-token': 'sweep-token-for-tests' } }, bindings)).json()) as SweepJobsSummary;
    const { event, id } = await pendingEvent(bindings);
    // Ops was found down: the first sweep probes with the oldest message, which goes through.
    const exact = (summary: SweepJobsSummary) => ({ ...summary, sign_in: undefined });
    expect(exact(await sweep())).toEqual({ delivered: 1, retrying: 0, dead: 0, probed: true, removed: 0, more: false, sign_in: undefined });
    // Then there is nothing left to do.
    clock.advance(60_000);
    expect(exact(await sweep())).toEqual({ delivered: 0, retrying: 0, dead: 0, probed: false, removed: 0, more: false, sign_in: undefined });
    expect((await delivery(id, bindings)).delivery.status).toBe('delivered');
    expect(await received(event.session_id)).toHaveLength(2);
  });

  it('run through the cron handler: delivers what is due, reconciles when due, purges sign-in state, and says so', async () => {
    const clock = testClock();
    const bindings = emitterEnv({ CLOCK: clock, RECONCILE_INTERVAL: '1m', PROBE_INTERVAL_MS: '3600000' });
    const { event, id } = await pendingEvent(bindings);
    // Past the first retry's time, the reconciliation interval and the sign-in sweep's minute.
    clock.advance(120_000);
    const summary = await emitter.scheduled(undefined, bindings);
    expect(summary).toMatchObject({ delivered: 1, retrying: 0, dead: 0, probed: false, removed: 0, more: false });
    expect(summary.reconciliation).toMatchObject({ ok: true });
    expect(summary.sign_in).toEqual({ sessions: expect.any(Number), failures: expect.any(Number) });
    expect((await delivery(id, bindings)).delivery.status).toBe('delivered');
    expect(await received(event.session_id)).toHaveLength(2);
  });
});
