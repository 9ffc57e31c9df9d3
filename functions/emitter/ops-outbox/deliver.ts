/**
 * The emitter's outbox as a channel of the outbox engine (functions/platform/outbox/): what a
 * delivery to Ops is (the signed POST of the frozen body), how Ops' answers read (an event type
 * it does not know yet is held; a stale timestamp is clock skew), what an attempt adds to the
 * emitter's state (the clock skew), and its log line.
 */
import { clockSkewStatement, type AttemptRecord } from '../../../db/emitter/attempts';
import { FINISHED_STATUSES } from '../../../db/emitter/retention';
import { EMITTER_OUTBOX } from '../../../db/emitter/outbox';
import { messageFromRow } from '../../../db/emitter/message-row';
import type { DeliveryTrigger, OutboxMessage } from '../../../db/emitter/schema';
import { deliverMessage as deliverOnce, logAttemptOutcome, type OutboxChannel, type Sent } from '../../platform/outbox/engine';
import { errorCodeOf, type AnswerReading, type AttemptResult, type Decision, type Interpretation } from '../../platform/outbox/retry-policy';
import { UNKNOWN_EVENT_TYPE } from '../../contract/event-catalog';
import type { Logger } from '../../platform/logger';
import type { Services } from '../../platform/services';
import type { EmitterConfig } from '../config';
import { describeFetchError, opsRequest } from './ops-request';

/** The receiver's code for a webhook-timestamp outside its window: the two clocks differ. */
export const STALE_TIMESTAMP = 'stale_timestamp';

/** How much of Ops' answer is kept per attempt. */
export const RESPONSE_EXCERPT_BYTES = 2048;

/** The services (database, clock, randomness, outbound fetch, logger) and the emitter's settings. */
export interface DeliveryDeps extends Services {
  config: EmitterConfig;
}

export type { DeliveryTrigger } from '../../../db/emitter/schema';

/** Lease long enough for one attempt (timeout included) to finish and record itself. */
export function leaseMs(config: EmitterConfig): number {
  return config.OPS_WEBHOOK_TIMEOUT_MS * 2 + 5000;
}

async function excerpt(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < RESPONSE_EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return new TextDecoder().decode(bytes.subarray(0, RESPONSE_EXCERPT_BYTES));
}

/** What one send got back: Ops' answer (status, Retry-After, code, Date, the first bytes) or why there was none. */
async function send(deps: DeliveryDeps, message: OutboxMessage, at: number): Promise<Sent> {
  const { config } = deps;
  const request = opsRequest(config, {
    url: config.OPS_WEBHOOK_URL,
    messageId: message.id,
    body: message.payload,
    at,
    headers: { 'x-onboarding-session': message.sessionId },
  });
  try {
    const response = await deps.fetch(request);
    const body = await excerpt(response);
    const date = Date.parse(response.headers.get('date') ?? '');
    const result: AttemptResult = { kind: 'response', status: response.status, retryAfter: response.headers.get('retry-after') };
    const code = errorCodeOf(body);
    if (code) result.code = code;
    if (!Number.isNaN(date)) result.clockSkewS = Math.round((date - deps.now()) / 1000);
    return { result, body };
  } catch (err) {
    return { result: { kind: 'error', error: describeFetchError(err as Error, config.OPS_WEBHOOK_URL, config.OPS_WEBHOOK_TIMEOUT_MS) }, body: null };
  }
}

/** What an answer says of the clocks, for the emitter's state: '' when the receiver took the timestamp, nothing without an answer. */
function clockSkewState(result: AttemptResult, at: number): string | undefined {
  if (result.kind !== 'response') return undefined;
  if (result.status !== 401 || result.code !== STALE_TIMESTAMP) return '';
  return JSON.stringify({ at: new Date(at).toISOString(), skew_s: result.clockSkewS ?? null });
}

/** How Ops' answers read beyond their status. */
function interpretOpsAnswer(result: AttemptResult): Interpretation | undefined {
  if (result.kind !== 'response') return undefined;
  if (result.status === 422 && result.code === UNKNOWN_EVENT_TYPE) {
    return { hold: 'held: the receiver does not know this event type yet (upgrade VM122); it is sent again until the receiver takes it' };
  }
  if (result.status === 401 && result.code === STALE_TIMESTAMP) {
    const skew = result.clockSkewS === undefined ? '' : ` (the receiver's clock is ${Math.abs(result.clockSkewS)} s ${result.clockSkewS >= 0 ? 'ahead' : 'behind'})`;
    return { reason: `clock skew: the receiver refused the signature's timestamp${skew}; synchronise both clocks (timedatectl set-ntp true)` };
  }
  return undefined;
}

/** One log line for the attempt (and one more when Ops refused the credentials or the clock). */
function logAttempt(logger: Logger, message: OutboxMessage, record: AttemptRecord, decision: Decision): void {
  const fields = { message_id: message.id, event: message.eventType, domain: message.domain, session_id: message.sessionId };
  if (decision.outcome !== 'delivered' && decision.reason.startsWith('clock skew:')) {
    logger.error('clock skew: Ops refused the signature\'s timestamp as outside its window; synchronise both clocks (timedatectl set-ntp true)', { ...fields, reason: decision.reason });
  } else if (record.statusCode === 401 || record.statusCode === 403) {
    logger.error('Ops rejected the credentials: OPS_WEBHOOK_SECRET here and WEBHOOK_SECRET on Ops differ', fields);
  }
  logAttemptOutcome(logger, OPS_WORDS, fields, message.attempts, record, decision);
}

const OPS_WORDS = { delivered: 'delivered', retry: 'delivery failed; will retry', dead: 'delivery abandoned; message is dead' };

/** How the emitter reads Ops' answers (the retry policy's `reading`). */
export const OPS_ANSWERS: AnswerReading = { peer: 'Ops', interpret: interpretOpsAnswer };

const DAY_MS = 86_400_000;
/** Messages deleted by retention per sweep at most: small batches, so a sweep never holds the database long. */
const RETENTION_BATCH = 500;

/** The emitter's deliveries to Ops as an outbox channel, over this request's (or cron run's) dependencies. */
export function opsChannel(deps: DeliveryDeps): OutboxChannel<OutboxMessage> {
  const { config } = deps;
  return {
    tables: EMITTER_OUTBOX,
    fromRow: messageFromRow,
    schedule: config.OPS_WEBHOOK_RETRY_SCHEDULE,
    leaseMs: leaseMs(config),
    concurrency: config.DELIVERY_CONCURRENCY,
    probeIntervalMs: config.PROBE_INTERVAL_MS,
    retention: { statuses: FINISHED_STATUSES, afterMs: config.RETENTION_DAYS * DAY_MS, batch: RETENTION_BATCH },
    ...OPS_ANSWERS,
    send: (message, at) => send(deps, message, at),
    attemptState(result, at) {
      const value = clockSkewState(result, at);
      return value === undefined ? [] : [clockSkewStatement(value)];
    },
    logAttempt: (message, record, decision) => logAttempt(deps.logger, message, record, decision),
  };
}

/** Sends `message` to Ops once, through the outbox engine; answers delivered, retry or dead. */
export function deliverMessage(deps: DeliveryDeps, message: OutboxMessage, trigger: DeliveryTrigger) {
  return deliverOnce(opsChannel(deps), deps, message, trigger);
}
