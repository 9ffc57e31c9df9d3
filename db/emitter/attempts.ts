/**
 * The emitter's attempt records: the engine's (db/outbox/attempts.ts) over its outbox, and the
 * state it adds to an attempt's batch, what Ops' answer says of the two clocks.
 */
import type { Statement } from '../connection';
import { attemptStatements as outboxAttempt, SET_STATE_IF_CHANGED, type AttemptRecord } from '../outbox/attempts';
import { EMITTER_OUTBOX } from './outbox';
import { CLOCK_SKEW } from './state';

export type { AttemptRecord } from '../outbox/attempts';

/** The statements of one attempt on the emitter's outbox, in order (exposed for the query-plan test). */
export function attemptStatements(message: { id: string; attempts: number }, attempt: AttemptRecord, now: number, opsReachable: boolean, extra: Statement[] = []): Statement[] {
  return outboxAttempt(EMITTER_OUTBOX, message, attempt, now, opsReachable, extra);
}

/** Records what Ops said of the clocks: '' when it took the timestamp, JSON when it refused it as skewed. */
export function clockSkewStatement(value: string): Statement {
  return { sql: SET_STATE_IF_CHANGED(EMITTER_OUTBOX), args: { key: CLOCK_SKEW, value } };
}
