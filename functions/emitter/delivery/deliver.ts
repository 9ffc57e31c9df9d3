/**
 * One delivery attempt of one outbox message to Ops: the signed POST, the decision on its
 * answer (see retry-policy), and the attempt record, written in one batch with the message's
 * new state.
 */
import type { Db } from '../../../db/connection';
import { recordAttempt, type AttemptRecord } from '../../../db/emitter/attempts';
import type { OutboxMessage } from '../../../db/emitter/schema';
import type { Logger } from '../../shared/logger';
import type { EmitterConfig } from '../config';
import { describeFetchError, opsRequest } from './ops-request';
import { decide, decideProbe, STALE_TIMESTAMP, type AttemptResult, type Decision } from './retry-policy';

/** How much of Ops' answer is kept per attempt. */
export const RESPONSE_EXCERPT_BYTES = 2048;

export interface DeliveryDeps {
  db: Db;
  config: EmitterConfig;
  logger: Logger;
  fetch: (request: Request) => Promise<Response>;
  now: () => number;
  random: () => number;
}

export type DeliveryTrigger = 'accept' | 'sweep' | 'probe' | 'manual' | 'reconcile';

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

/** The `code` of an answer in the project's error shape (`{ "error": { "code" } }`), if the excerpt is one. */
function errorCode(body: string): string | undefined {
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/** What one send got back: Ops' answer (status, Retry-After, the first bytes) or why there was none. */
async function send(deps: DeliveryDeps, message: OutboxMessage, at: number): Promise<{ result: AttemptResult; body: string | null }> {
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
    const code = errorCode(body);
    if (code) result.code = code;
    if (!Number.isNaN(date)) result.clockSkewS = Math.round((date - deps.now()) / 1000);
    return { result, body };
  } catch (err) {
    return { result: { kind: 'error', error: describeFetchError(err as Error, config.OPS_WEBHOOK_URL, config.OPS_WEBHOOK_TIMEOUT_MS) }, body: null };
  }
}

/** What an answer says of the clocks, for the emitter's state: '' when the receiver took the timestamp. */
function clockSkewState(result: Extract<AttemptResult, { kind: 'response' }>, at: number): string {
  if (result.status !== 401 || result.code !== STALE_TIMESTAMP) return '';
  return JSON.stringify({ at: new Date(at).toISOString(), skew_s: result.clockSkewS ?? null });
}

/** The attempt's record, from what the send got and what the policy decided. */
function attemptRecord(message: OutboxMessage, trigger: DeliveryTrigger, sent: { result: AttemptResult; body: string | null }, decision: Decision, startedAt: number, finishedAt: number): AttemptRecord {
  const { result, body } = sent;
  return {
    trigger,
    startedAt,
    durationMs: finishedAt - startedAt,
    statusCode: result.kind === 'response' ? result.status : null,
    // Past a bare `HTTP nnn`, the reason says what the answer meant (dead, held, clock skew): the console shows it.
    error: result.kind === 'error' ? result.error : decision.outcome !== 'delivered' && decision.reason !== `HTTP ${result.status}` ? decision.reason : null,
    responseBody: body,
    outcome: decision.outcome === 'exhausted' ? 'dead' : decision.outcome,
    nextAttemptAt: decision.outcome === 'retry' ? finishedAt + decision.delayMs : null,
    scheduleIndex: decision.outcome === 'retry' ? decision.scheduleIndex : message.scheduleIndex,
    notBefore: decision.outcome === 'retry' && decision.retryAfterMs ? finishedAt + decision.retryAfterMs : null,
    ...(result.kind === 'response' ? { clockSkew: clockSkewState(result, finishedAt) } : {}),
  };
}

/** One log line for the attempt (and one more when Ops refused the credentials). */
function logAttempt(logger: Logger, message: OutboxMessage, record: AttemptRecord, decision: Decision): void {
  const fields = {
    message_id: message.id,
    event: message.eventType,
    domain: message.domain,
    session_id: message.sessionId,
    attempt: message.attempts + 1,
    trigger: record.trigger,
    status: record.statusCode,
    ms: record.durationMs,
  };
  if (record.clockSkew) {
    logger.error('clock skew: Ops refused the signature\'s timestamp as outside its window; synchronise both clocks (timedatectl set-ntp true)', { ...fields, ...(JSON.parse(record.clockSkew) as object) });
  } else if (record.statusCode === 401 || record.statusCode === 403) {
    logger.error('Ops rejected the credentials: OPS_WEBHOOK_SECRET here and WEBHOOK_SECRET on Ops differ', fields);
  }
  if (decision.outcome === 'delivered') logger.info('delivered', fields);
  else if (decision.outcome === 'retry') logger.warn('delivery failed; will retry', { ...fields, reason: decision.reason, next_attempt_at: new Date(record.nextAttemptAt!).toISOString() });
  else logger.error('delivery abandoned; message is dead', { ...fields, reason: decision.reason });
}

/** Sends `message` once, decides what its answer means, and records the attempt with the message's new state. Returns delivered, retry or dead. */
export async function deliverMessage(deps: DeliveryDeps, message: OutboxMessage, trigger: DeliveryTrigger) {
  const startedAt = deps.now();
  const sent = await send(deps, message, startedAt);
  const finishedAt = deps.now();
  const schedule = deps.config.OPS_WEBHOOK_RETRY_SCHEDULE;
  const decision =
    trigger === 'probe'
      ? decideProbe(sent.result, message, schedule, finishedAt, deps.random)
      : decide(sent.result, message.scheduleIndex, schedule, finishedAt, deps.random);
  // A message reconciliation put back in line is sent again on its account: the record says so.
  const recorded: DeliveryTrigger = message.requeuedBy === 'reconcile' && trigger !== 'probe' ? 'reconcile' : trigger;
  const record = attemptRecord(message, recorded, sent, decision, startedAt, finishedAt);
  // Ops "answered sanely" unless it was unreachable, timed out, or said it is overloaded or broken.
  const status = record.statusCode;
  const reachable = status !== null && status < 500 && status !== 429;
  await recordAttempt(deps.db, message, record, finishedAt, reachable);
  logAttempt(deps.logger, message, record, decision);
  return record.outcome;
}
