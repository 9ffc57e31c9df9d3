/**
 * Claiming due messages of an outbox under a lease, respecting its order: with `inOrderOf`, a
 * message goes out only when no earlier pending message with the same values there waits.
 */
import type { Db, Statement } from '../connection';
import type { OutboxTables } from './outbox-tables';

/** Which pending messages a claim may take. */
export type ClaimScope =
  | { kind: 'due'; limit: number }
  | { kind: 'one'; id: string }
  /** The oldest pending message, even if its next attempt is not due yet (a recovery probe). */
  | { kind: 'probe' }
  /** A message just accepted (never attempted), in the acceptance's own batch. */
  | { kind: 'new'; id: string };

const cache = new WeakMap<OutboxTables, Record<ClaimScope['kind'], string>>();

/** The claim statements of `tables`, built once per outbox (its names are the code's, never input). */
function claimSql(tables: OutboxTables): Record<ClaimScope['kind'], string> {
  const cached = cache.get(tables);
  if (cached) return cached;
  const earlier = tables.inOrderOf.length
    ? `AND NOT EXISTS (
        SELECT 1 FROM ${tables.messages} p
        WHERE ${tables.inOrderOf.map((c) => `p.${c} = m.${c}`).join(' AND ')} AND p.status = 'pending' AND p.seq < m.seq
      )`
    : '';
  const claim = (pick: string, limit: string) => `UPDATE ${tables.messages} SET lease_until = :leaseUntil, updated_at = :now
  WHERE seq IN (
    SELECT m.seq FROM ${tables.messages} m
    WHERE m.status = 'pending' AND (m.lease_until IS NULL OR m.lease_until < :now) AND ${pick}
      ${earlier}
    ORDER BY m.seq LIMIT ${limit}
  )
  RETURNING *`;
  const built = {
    due: claim('m.next_attempt_at <= :now', ':limit'),
    one: claim('m.next_attempt_at <= :now AND m.id = :id', '1'),
    probe: claim('(m.not_before IS NULL OR m.not_before <= :now)', '1'),
    new: claim('m.next_attempt_at <= :now AND m.id = :id AND m.attempts = 0', '1'),
  };
  cache.set(tables, built);
  return built;
}

/** The statement of a claim (exposed for the query-plan test and for acceptance batches). */
export function claimStatement(tables: OutboxTables, scope: ClaimScope, now: number, leaseMs: number): Statement {
  const sql = claimSql(tables)[scope.kind];
  const lease = { leaseUntil: now + leaseMs, now };
  if (scope.kind === 'due') return { sql, args: { ...lease, limit: scope.limit } };
  if (scope.kind === 'one' || scope.kind === 'new') return { sql, args: { ...lease, id: scope.id } };
  return { sql, args: lease };
}

/** Atomically leases the messages `scope` names that are first in line; answers their rows, oldest first. */
export async function claimRows(db: Db, tables: OutboxTables, scope: ClaimScope, now: number, leaseMs: number): Promise<Record<string, unknown>[]> {
  const result = await db.$client.execute(claimStatement(tables, scope, now, leaseMs));
  return (result.rows as unknown as Record<string, unknown>[]).sort((a, b) => Number(a.seq) - Number(b.seq));
}
