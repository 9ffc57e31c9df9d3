/**
 * Claiming due messages under a lease, respecting per-session order: a message goes out only
 * when no earlier pending message of its session and domain waits, so events of one session
 * reach Ops in acceptance order.
 */
import type { Db, Statement } from '../connection';
import { messageFromRow } from './message-row';
import type { OutboxMessage } from './schema';

/** Which pending messages a claim may take. */
export type ClaimScope =
  | { kind: 'due'; limit: number }
  | { kind: 'one'; id: string }
  /** The oldest pending message, even if its next attempt is not due yet (a recovery probe). */
  | { kind: 'probe' };

/** Leases up to `limit` messages picked by `pick` until `:leaseUntil`, at `:now`. */
const claim = (pick: string, limit: string) => `UPDATE outbox_messages SET lease_until = :leaseUntil, updated_at = :now
  WHERE seq IN (
    SELECT m.seq FROM outbox_messages m
    WHERE m.status = 'pending' AND (m.lease_until IS NULL OR m.lease_until < :now) AND ${pick}
      AND NOT EXISTS (
        SELECT 1 FROM outbox_messages p
        WHERE p.session_id = m.session_id AND p.domain = m.domain AND p.status = 'pending' AND p.seq < m.seq
      )
    ORDER BY m.seq LIMIT ${limit}
  )
  RETURNING *`;

const CLAIM_DUE = claim('m.next_attempt_at <= :now', ':limit');
const CLAIM_ONE = claim('m.next_attempt_at <= :now AND m.id = :id', '1');
const CLAIM_PROBE = claim('(m.not_before IS NULL OR m.not_before <= :now)', '1');
/** A message just accepted (never attempted), in the acceptance's own batch. */
export const CLAIM_NEW = claim('m.next_attempt_at <= :now AND m.id = :id AND m.attempts = 0', '1');

/** The statement of a claim (exposed for the query-plan test). */
export function claimStatement(scope: ClaimScope, now: number, leaseMs: number): Statement {
  const lease = { leaseUntil: now + leaseMs, now };
  if (scope.kind === 'due') return { sql: CLAIM_DUE, args: { ...lease, limit: scope.limit } };
  if (scope.kind === 'one') return { sql: CLAIM_ONE, args: { ...lease, id: scope.id } };
  return { sql: CLAIM_PROBE, args: lease };
}

/** Atomically leases the messages `scope` names that are first in line; returns them, oldest first. */
export async function claimMessages(db: Db, scope: ClaimScope, now: number, leaseMs: number): Promise<OutboxMessage[]> {
  const result = await db.$client.execute(claimStatement(scope, now, leaseMs));
  return result.rows.map(messageFromRow).sort((a, b) => a.seq - b.seq);
}
