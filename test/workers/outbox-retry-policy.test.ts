/** The outbox engine's retry policy as a pure function: outcomes, schedule, jitter, Retry-After, and how the emitter reads Ops' answers. */
import { describe, expect, it } from 'vitest';
import { decide, decideProbe, HELD_RETRY_MAX_MS, parseRetryAfter, withJitter } from '../../functions/platform/outbox/retry-policy';
import { OPS_ANSWERS } from '../../functions/emitter/ops-outbox/deliver';
import { DEFAULT_RETRY_SCHEDULE } from '../../functions/emitter/config';
import { parseDuration } from '../../functions/platform/settings/config';

const SCHEDULE = DEFAULT_RETRY_SCHEDULE.split(',').map(parseDuration);
const NOW = Date.parse('2026-11-29T12:00:00Z');
const response = (status: number, retryAfter: string | null = null) => ({ kind: 'response' as const, status, retryAfter });

describe('retry policy', () => {
  it("starts with the fast tries, exact: 1 s, 3 s, 9 s", () => {
    expect([0, 1, 2].map((i) => decide(response(500), i, SCHEDULE, NOW))).toEqual([
      { outcome: 'retry', delayMs: 1000, scheduleIndex: 1, reason: 'HTTP 500' },
      { outcome: 'retry', delayMs: 3000, scheduleIndex: 2, reason: 'HTTP 500' },
      { outcome: 'retry', delayMs: 9000, scheduleIndex: 3, reason: 'HTTP 500' },
    ]);
  });

  it('jitters slow-schedule delays by at most 20 %', () => {
    expect(withJitter(3_600_000, () => 0)).toBe(2_880_000);
    expect(withJitter(3_600_000, () => 0.999999)).toBeLessThanOrEqual(4_320_000);
    expect(withJitter(9000, () => 0)).toBe(9000);
  });

  it('gives up after the last delay of the schedule', () => {
    expect(decide(response(502), SCHEDULE.length, SCHEDULE, NOW)).toMatchObject({ outcome: 'exhausted' });
  });

  it('treats only 2xx as delivered; redirects and other 4xx are retried', () => {
    expect(decide(response(204), 0, SCHEDULE, NOW).outcome).toBe('delivered');
    expect(decide(response(302), 0, SCHEDULE, NOW).outcome).toBe('retry');
    expect(decide(response(404), 0, SCHEDULE, NOW).outcome).toBe('retry');
    expect(decide(response(401), 0, SCHEDULE, NOW).outcome).toBe('retry');
  });

  it('holds a 422 unknown_event_type: the fast tries, then at most a minute apart, and never exhausted', () => {
    const held = { kind: 'response' as const, status: 422, retryAfter: null, code: 'unknown_event_type' };
    const delays = [];
    let index = 0;
    for (let attempt = 0; attempt < SCHEDULE.length + 5; attempt++) {
      const decision = decide(held, index, SCHEDULE, NOW, () => 0.5, OPS_ANSWERS);
      expect(decision.outcome).toBe('retry');
      if (decision.outcome !== 'retry') break;
      delays.push(decision.delayMs);
      index = decision.scheduleIndex;
    }
    expect(delays.slice(0, 3)).toEqual([1000, 3000, 9000]);
    expect(Math.max(...delays)).toBe(HELD_RETRY_MAX_MS);
    // At the very end of the schedule too: held, where any other failure is exhausted.
    expect(decide(held, SCHEDULE.length, SCHEDULE, NOW, Math.random, OPS_ANSWERS).outcome).toBe('retry');
    expect(decide({ ...held, code: 'validation_failed' }, 0, SCHEDULE, NOW, Math.random, OPS_ANSWERS).outcome).toBe('dead');
    // The engine holds nothing by itself: that is the emitter's reading of Ops.
    expect(decide(held, 0, SCHEDULE, NOW).outcome).toBe('dead');
  });

  it('names a 401 stale_timestamp as clock skew, with the receiver\'s offset, and retries it on the schedule', () => {
    const skewed = { kind: 'response' as const, status: 401, retryAfter: null, code: 'stale_timestamp', clockSkewS: -412 };
    expect(decide(skewed, 0, SCHEDULE, NOW, Math.random, OPS_ANSWERS)).toMatchObject({ outcome: 'retry', delayMs: 1000, reason: expect.stringMatching(/^clock skew: .*412 s behind/) });
    expect(decide(response(401), 0, SCHEDULE, NOW, Math.random, OPS_ANSWERS)).toMatchObject({ reason: 'HTTP 401' });
  });

  it('kills a message at once on 400, 409, 413, 415 and 422', () => {
    for (const status of [400, 409, 413, 415, 422]) expect(decide(response(status), 0, SCHEDULE, NOW).outcome).toBe('dead');
  });

  it('keeps a probed message on its own schedule when the probe fails, and never exhausts it', () => {
    const waiting = { scheduleIndex: 5, nextAttemptAt: NOW + 3_600_000 };
    // A failed probe neither advances the schedule nor brings the next attempt forward.
    expect(decideProbe(response(503), waiting, SCHEDULE, NOW)).toEqual({ outcome: 'retry', delayMs: 3_600_000, scheduleIndex: 5, reason: 'HTTP 503' });
    // At the end of the schedule a probe still only waits: a long outage exhausts nothing.
    const last = { scheduleIndex: SCHEDULE.length, nextAttemptAt: NOW + 60_000 };
    expect(decideProbe({ kind: 'error', error: 'timeout after 5000 ms' }, last, SCHEDULE, NOW)).toMatchObject({ outcome: 'retry', delayMs: 60_000, scheduleIndex: SCHEDULE.length });
    // Retry-After pushes it later, never earlier.
    expect(decideProbe(response(429, '7200'), waiting, SCHEDULE, NOW)).toMatchObject({ delayMs: 7_200_000, retryAfterMs: 7_200_000 });
    // A probe that Ops answers is an answer like any other.
    expect(decideProbe(response(201), waiting, SCHEDULE, NOW)).toEqual({ outcome: 'delivered' });
    expect(decideProbe(response(422), waiting, SCHEDULE, NOW)).toMatchObject({ outcome: 'dead' });
  });

  it('waits at least Retry-After on 429 and 503, in seconds or as a date, capped at a day', () => {
    expect(decide(response(429, '120'), 0, SCHEDULE, NOW)).toMatchObject({ delayMs: 120_000, retryAfterMs: 120_000 });
    expect(decide(response(503, new Date(NOW + 30_000).toUTCString()), 0, SCHEDULE, NOW)).toMatchObject({ delayMs: 30_000 });
    expect(parseRetryAfter('999999999', NOW)).toBe(86_400_000);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(decide(response(500, '120'), 0, SCHEDULE, NOW)).toMatchObject({ delayMs: 1000 });
  });

  it('retries network errors and timeouts', () => {
    expect(decide({ kind: 'error', error: 'timeout after 5000 ms' }, 0, SCHEDULE, NOW)).toMatchObject({
      outcome: 'retry',
      reason: 'timeout after 5000 ms',
    });
  });
});
