/**
 * The Cloudflare cron handler (`scheduled()`) runs every job of the sweep, as the host's route
 * does: the outbox, reconciliation when due, sign-in housekeeping. Driven with the system clock
 * moved on (fake Date), not by sleeping.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import emitter from '../../functions/emitter/index';
import { makeEvent } from '../support/factories';
import { delivery, emit, emitterEnv, received, setOpsDown } from './emitter-helpers';

afterEach(() => {
  vi.useRealTimers();
});

describe('the cron handler', () => {
  it('delivers what is due, reconciles when due, and purges sign-in state, and says so', async () => {
    const bindings = emitterEnv({ RECONCILE_INTERVAL: '1m', PROBE_INTERVAL_MS: '3600000' });
    await setOpsDown(true);
    const event = makeEvent();
    let id: string;
    try {
      id = ((await (await emit(event, bindings)).json()) as { id: string }).id;
    } finally {
      await setOpsDown(false);
    }
    expect((await delivery(id, bindings)).delivery.status).toBe('pending');
    // Past the first retry's time and the reconciliation interval.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 120_000);
    const summary = await emitter.scheduled(undefined, bindings);
    expect(summary).toMatchObject({ delivered: 1, retrying: 0, dead: 0, more: false });
    expect(summary.reconciliation).toMatchObject({ ok: true });
    expect(summary.sign_in).toEqual({ sessions: expect.any(Number), failures: expect.any(Number) });
    vi.useRealTimers();
    expect((await delivery(id, bindings)).delivery.status).toBe('delivered');
    expect(await received(event.session_id)).toHaveLength(2);
  });
});
