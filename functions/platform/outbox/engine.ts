/**
 * The durable send machinery every outbox shares: one attempt of a message (send, decide, record
 * in one batch with the message's new state, log), and the sweep (claims due messages under a
 * lease with bounded concurrency, probes the peer while it is believed down, removes finished
 * messages past retention). An outbox is a {@link OutboxChannel}: its tables, its schedule, and
 * what it sends where. The emitter's deliveries to Ops are one; the receiver's notifications
 * are the next.
 */
import type { Db, Statement } from '../../../db/connection';
import { recordAttempt, type AttemptRecord } from '../../../db/outbox/attempts';
import { claimRows, type ClaimScope } from '../../../db/outbox/claims';
import type { OutboxRow, OutboxTables } from '../../../db/outbox/outbox-tables';
import { pendingAndDue, readState, removeFinished, writeState } from '../../../db/outbox/upkeep';
import type { Logger } from '../logger';
import { decide, decideProbe, type AnswerReading, type AttemptResult, type Decision } from './retry-policy';

/** What the engine needs of the world: the database, a clock, randomness (jitter) and a logger. */
export interface OutboxDeps {
  db: Db;
  logger: Logger;
  now: () => number;
  random: () => number;
}

/** What one send got back: the answer (status, Retry-After, code, the first bytes) or why there was none. */
export interface Sent {
  result: AttemptResult;
  body: string | null;
}

/** One outbox: where its rows are, how it retries, and what it sends where. */
export interface OutboxChannel<M extends OutboxRow> extends AnswerReading {
  tables: OutboxTables;
  fromRow(row: Record<string, unknown>): M;
  /** Delays between tries; past the last, a failing message is dead. */
  schedule: number[];
  /** How long a claim holds a message: one attempt, its timeout included, must fit. */
  leaseMs: number;
  /** Messages sent at once by a sweep. */
  concurrency: number;
  /** While the peer is believed down, the oldest message is tried at most this often (a recovery probe). */
  probeIntervalMs: number;
  /** Messages of these statuses, unchanged for `afterMs`, are removed by the sweep (`batch` at most each time). */
  retention: { statuses: readonly string[]; afterMs: number; batch: number };
  /** Sends one message at `at`. Never throws: a failure to send is an `error` result. */
  send(message: M, at: number): Promise<Sent>;
  /** State statements for the attempt's own batch (the emitter records what Ops says of the clocks). */
  attemptState?(result: AttemptResult, at: number): Statement[];
  /** One log line for an attempt. */
  logAttempt(message: M, record: AttemptRecord, decision: Decision): void;
}

export type AttemptTrigger = string;

/** What an outbox's log lines say for each outcome of an attempt. */
export interface AttemptWords {
  delivered: string;
  retry: string;
  dead: string;
}

/**
 * The log line of one attempt, the same for every outbox: the message's own `fields`, the
 * attempt's number, trigger, status and duration; info when delivered, warn with the reason and
 * the next try when it will be retried, error with the reason when it is dead.
 */
export function logAttemptOutcome(logger: Logger, words: AttemptWords, fields: Record<string, unknown>, attempts: number, record: AttemptRecord, decision: Decision): void {
  const line = { ...fields, attempt: attempts + 1, trigger: record.trigger, status: record.statusCode, ms: record.durationMs };
  if (decision.outcome === 'delivered') logger.info(words.delivered, line);
  else if (decision.outcome === 'retry') logger.warn(words.retry, { ...line, reason: decision.reason, next_attempt_at: new Date(record.nextAttemptAt!).toISOString() });
  else logger.error(words.dead, { ...line, reason: decision.reason });
}

export interface SweepSummary {
  delivered: number;
  retrying: number;
  dead: number;
  probed: boolean;
  /** Finished messages past retention deleted by this sweep. */
  removed: number;
  /** True when the time budget ran out with due messages left. */
  more: boolean;
}

/** The attempt's record, from what the send got and what the policy decided. */
function attemptRecord(message: OutboxRow, trigger: AttemptTrigger, sent: Sent, decision: Decision, startedAt: number, finishedAt: number): AttemptRecord {
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
  };
}

/** Sends `message` once, decides what its answer means, and records the attempt with the message's new state. Answers delivered, retry or dead. */
export async function deliverMessage<M extends OutboxRow>(channel: OutboxChannel<M>, deps: OutboxDeps, message: M, trigger: AttemptTrigger): Promise<AttemptRecord['outcome']> {
  const startedAt = deps.now();
  const sent = await channel.send(message, startedAt);
  const finishedAt = deps.now();
  const decision =
    trigger === 'probe'
      ? decideProbe(sent.result, message, channel.schedule, finishedAt, deps.random, channel)
      : decide(sent.result, message.scheduleIndex, channel.schedule, finishedAt, deps.random, channel);
  // A message put back in line on someone's account (the emitter's reconciliation) is sent again on it: the record says so.
  const recorded = message.requeuedBy && trigger !== 'probe' ? message.requeuedBy : trigger;
  const record = attemptRecord(message, recorded, sent, decision, startedAt, finishedAt);
  // The peer "answered sanely" unless it was unreachable, timed out, or said it is overloaded or broken.
  const status = record.statusCode;
  const reachable = status !== null && status < 500 && status !== 429;
  await recordAttempt(deps.db, channel.tables, message, record, finishedAt, reachable, channel.attemptState?.(sent.result, finishedAt) ?? []);
  channel.logAttempt(message, record, decision);
  return record.outcome;
}

/** Leases the messages `scope` names that are first in line; answers them, oldest first. */
export async function claimMessages<M extends OutboxRow>(channel: OutboxChannel<M>, db: Db, scope: ClaimScope, now: number): Promise<M[]> {
  return (await claimRows(db, channel.tables, scope, now, channel.leaseMs)).map((row) => channel.fromRow(row));
}

/** Runs for at most `budgetMs` (plus the attempts in flight at that moment). */
export async function sweepOutbox<M extends OutboxRow>(channel: OutboxChannel<M>, deps: OutboxDeps, budgetMs = 5000): Promise<SweepSummary> {
  const { db } = deps;
  const { keys } = channel.tables;
  const started = deps.now();
  const summary: SweepSummary = { delivered: 0, retrying: 0, dead: 0, probed: false, removed: 0, more: false };
  const count = (outcome: AttemptRecord['outcome']) => {
    if (outcome === 'delivered') summary.delivered += 1;
    else if (outcome === 'retry') summary.retrying += 1;
    else summary.dead += 1;
  };

  // Probe only while the peer is believed down and some of the backlog is waiting on its schedule:
  // a message that fails on its own while the peer answers others keeps its backoff.
  const stats = await pendingAndDue(db, channel.tables, started);
  if (stats.pending > stats.due && (await readState(db, channel.tables.state, keys.reachable)) === '0') {
    const last = Number((await readState(db, channel.tables.state, keys.lastProbeAt)) ?? 0);
    if (started - last >= channel.probeIntervalMs) {
      await writeState(db, channel.tables.state, keys.lastProbeAt, String(started));
      const [oldest] = await claimMessages(channel, db, { kind: 'probe' }, started);
      if (oldest) {
        summary.probed = true;
        count(await deliverMessage(channel, deps, oldest, 'probe'));
      }
    }
  }

  for (;;) {
    if (deps.now() - started >= budgetMs) {
      summary.more = (await pendingAndDue(db, channel.tables, deps.now())).due > 0;
      break;
    }
    const batch = await claimMessages(channel, db, { kind: 'due', limit: channel.concurrency }, deps.now());
    if (batch.length === 0) break;
    const outcomes = await Promise.all(batch.map((m) => deliverMessage(channel, deps, m, 'sweep')));
    outcomes.forEach(count);
  }
  summary.removed = await removeFinished(db, channel.tables, channel.retention.statuses, deps.now() - channel.retention.afterMs, channel.retention.batch);
  return summary;
}

/** Sends one requeued message now if it is first in line (a manual redeliver). */
export async function deliverIfFirstInLine<M extends OutboxRow>(channel: OutboxChannel<M>, deps: OutboxDeps, id: string, trigger: AttemptTrigger = 'manual'): Promise<void> {
  const [message] = await claimMessages(channel, deps.db, { kind: 'one', id }, deps.now());
  if (message) await deliverMessage(channel, deps, message, trigger);
}
