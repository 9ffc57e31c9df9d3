/**
 * What an answer from Ops means for a message, and when to try again. Only 2xx delivers.
 * 400/409/413/415/422 will not change on a retry: dead at once, with the reason, except a 422
 * `unknown_event_type` (an older receiver that does not know the type yet), which is held and
 * tried again on the schedule, never exhausted, until the receiver is upgraded. Everything else
 * (5xx, 429, 401/403, redirects, timeouts, network errors) follows the retry schedule, with
 * `Retry-After` honoured on 429 and 503; a 401 `stale_timestamp` is named as clock skew.
 */
import { UNKNOWN_EVENT_TYPE } from '../../shared/event-catalog';

/** Answers that mean the payload itself is refused (409: its webhook-id names another event): retrying cannot help. */
const PERMANENT_STATUSES = new Set([400, 409, 413, 415, 422]);

/** A held event (the receiver does not know its type yet) is tried at least this often, so it goes soon after an upgrade. */
export const HELD_RETRY_MAX_MS = 60_000;

/** The receiver's code for a webhook-timestamp outside its window: the two clocks differ. */
export const STALE_TIMESTAMP = 'stale_timestamp';

/** The longest `Retry-After` honoured (a day), so a bad header cannot park a message forever. */
const MAX_RETRY_AFTER_MS = 86_400_000;

/** Delays at or above this get ±20 % jitter, so a backlog does not retry in lock-step; the fast tries (1 s, 3 s, 9 s) stay exact. */
const JITTER_FROM_MS = 60_000;
const JITTER = 0.2;

export type AttemptResult =
  | {
      kind: 'response';
      status: number;
      retryAfter: string | null;
      /** The error code of a JSON error answer (`{ "error": { "code" } }`), when there is one. */
      code?: string;
      /** How far Ops' clock (its `Date`) is ahead of this one, in seconds, when it sent one. */
      clockSkewS?: number;
    }
  | { kind: 'error'; error: string };

export type Decision =
  | { outcome: 'delivered' }
  | { outcome: 'dead'; reason: string }
  | { outcome: 'retry'; delayMs: number; scheduleIndex: number; reason: string; retryAfterMs?: number }
  | { outcome: 'exhausted'; reason: string };

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds from `now`, bounded to a day. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

/** Applies jitter to slow-schedule delays. `random` returns [0, 1). */
export function withJitter(delayMs: number, random: () => number): number {
  if (delayMs < JITTER_FROM_MS) return delayMs;
  return Math.round(delayMs * (1 - JITTER + 2 * JITTER * random()));
}

/** Decides the outcome of one attempt made at schedule position `scheduleIndex`. */
export function decide(
  result: AttemptResult,
  scheduleIndex: number,
  schedule: number[],
  now: number,
  random: () => number = Math.random,
): Decision {
  let reason: string;
  let floorMs = 0;
  if (result.kind === 'response') {
    const { status } = result;
    if (status >= 200 && status < 300) return { outcome: 'delivered' };
    if (status === 422 && result.code === UNKNOWN_EVENT_TYPE) {
      // Held, not dead: the schedule goes on but never runs out, and no wait is longer than HELD_RETRY_MAX_MS.
      const index = Math.min(scheduleIndex, schedule.length - 1);
      return {
        outcome: 'retry',
        delayMs: Math.min(withJitter(schedule[index]!, random), HELD_RETRY_MAX_MS),
        scheduleIndex: Math.min(index + 1, schedule.length - 1),
        reason: 'held: the receiver does not know this event type yet (upgrade VM122); it is sent again until the receiver takes it',
      };
    }
    if (PERMANENT_STATUSES.has(status)) return { outcome: 'dead', reason: `Ops refused the event with HTTP ${status}` };
    reason = `HTTP ${status}`;
    if (status === 401 && result.code === STALE_TIMESTAMP) {
      const skew = result.clockSkewS === undefined ? '' : ` (the receiver's clock is ${Math.abs(result.clockSkewS)} s ${result.clockSkewS >= 0 ? 'ahead' : 'behind'})`;
      reason = `clock skew: the receiver refused the signature's timestamp${skew}; synchronise both clocks (timedatectl set-ntp true)`;
    }
    if (status === 429 || status === 503) floorMs = parseRetryAfter(result.retryAfter, now) ?? 0;
  } else {
    reason = result.error;
  }
  if (scheduleIndex >= schedule.length) return { outcome: 'exhausted', reason };
  const delayMs = Math.max(withJitter(schedule[scheduleIndex]!, random), floorMs);
  const decision: Decision = { outcome: 'retry', delayMs, scheduleIndex: scheduleIndex + 1, reason };
  if (floorMs > 0) decision.retryAfterMs = floorMs;
  return decision;
}

/**
 * The outcome of a recovery probe: an extra try outside the schedule. Success delivers as usual;
 * a failure keeps the message's place in the schedule and its next attempt time (later only if
 * Ops asked with Retry-After), so probing during a long outage can never exhaust a message.
 */
export function decideProbe(
  result: AttemptResult,
  message: { scheduleIndex: number; nextAttemptAt: number },
  schedule: number[],
  now: number,
  random: () => number = Math.random,
): Decision {
  const decision = decide(result, message.scheduleIndex, schedule, now, random);
  if (decision.outcome !== 'retry' && decision.outcome !== 'exhausted') return decision;
  const retryAfterMs = decision.outcome === 'retry' ? decision.retryAfterMs : undefined;
  const nextAttemptAt = Math.max(message.nextAttemptAt, retryAfterMs ? now + retryAfterMs : 0);
  const kept: Decision = { outcome: 'retry', delayMs: nextAttemptAt - now, scheduleIndex: message.scheduleIndex, reason: decision.reason };
  if (retryAfterMs) kept.retryAfterMs = retryAfterMs;
  return kept;
}
