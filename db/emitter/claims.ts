/** The emitter's claims: the engine's (db/outbox/claims.ts) over its outbox, one session's events in order. */
import type { Statement } from '../connection';
import { claimStatement as outboxClaim, type ClaimScope } from '../outbox/claims';
import { EMITTER_OUTBOX } from './outbox';

export type { ClaimScope } from '../outbox/claims';

/** The statement of a claim on the emitter's outbox (exposed for the query-plan test and the acceptance batch). */
export function claimStatement(scope: ClaimScope, now: number, leaseMs: number): Statement {
  return outboxClaim(EMITTER_OUTBOX, scope, now, leaseMs);
}
