/**
 * What a peer's answer means for an outbox message, and when to try again: the same for every
 * outbox (the emitter's deliveries to Ops, the receiver's notifications). Only 2xx delivers.
 * 400/409/413/415/422 will not change on a retry: dead at once, with the reason. Everything else
 * (5xx, 429, 401/403, redirects, timeouts, network errors) follows the retry schedule, with
 * `Retry-After` honoured on 429 and 503. An outbox may read more into an answer
 * ({@link Interpretation}): hold a message that the peer cannot take yet but will (never dead,
 * never exhausted), or name the reason better.
 */

/** Answers that mean the payload itself is refused (409: its webhook-id names another event): retrying cannot help. */
const PERMANENT_STATUSES = new Set([400, 409, 413, 415, 422]);

/** A held message is tried at least this often, so it goes soon after the peer can take it. */
export const HELD_RETRY_MAX_MS = 60_000;

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

/** What an outbox reads into an answer beyond its status: hold the message, or a better reason. */
export type Interpretation = { hold: string } | { reason: string };

/** How an outbox reads its peer's answers: the peer's name (for reasons) and its own interpretation. */
export interface AnswerReading {
  peer?: string;
  interpret?: (result: AttemptResult) => Interpretation | undefined;
}

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

/** Decides the outcome of one attempt made at schedule position `scheduleIndex`, as the outbox reads its peer. */
export function decide(
  result: AttemptResult,
  scheduleIndex: number,
  schedule: number[],
  now: number,
  random: () => number = Math.random,
  reading: AnswerReading = {},
): Decision {
  let reason: string;
  let floorMs = 0;
  const meaning = reading.interpret?.(result);
  if (meaning && 'hold' in meaning) {
    // Held, not dead: the schedule goes on but never runs out, and no wait is longer than HELD_RETRY_MAX_MS.
    const index = Math.min(scheduleIndex, schedule.length - 1);
    return { outcome: 'retry', delayMs: Math.min(withJitter(schedule[index]!, random), HELD_RETRY_MAX_MS), scheduleIndex: Math.min(index + 1, schedule.length - 1), reason: meaning.hold };
  }
  if (result.kind === 'response') {
    const { status } = result;
    if (status >= 200 && status < 300) return { outcome: 'delivered' };
    if (PERMANENT_STATUSES.has(status)) return { outcome: 'dead', reason: meaning?.reason ?? `${reading.peer ?? 'the peer'} refused the message with HTTP ${status}` };
    reason = meaning?.reason ?? `HTTP ${status}`;
    if (status === 429 || status === 503) floorMs = parseRetryAfter(result.retryAfter, now) ?? 0;
  } else {
    reason = meaning?.reason ?? result.error;
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
  reading: AnswerReading = {},
): Decision {
  const decision = decide(result, message.scheduleIndex, schedule, now, random, reading);
  if (decision.outcome !== 'retry' && decision.outcome !== 'exhausted') return decision;
  const retryAfterMs = decision.outcome === 'retry' ? decision.retryAfterMs : undefined;
  const nextAttemptAt = Math.max(message.nextAttemptAt, retryAfterMs ? now + retryAfterMs : 0);
  const kept: Decision = { outcome: 'retry', delayMs: nextAttemptAt - now, scheduleIndex: message.scheduleIndex, reason: decision.reason };
  if (retryAfterMs) kept.retryAfterMs = retryAfterMs;
  return kept;
}

/** The `code` of an answer in the project's error shape (`{ "error": { "code" } }`), when the body is one. */
export function errorCodeOf(body: string): string | undefined {
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}
