/**
 * Operator sign-in state, kept in each function's own database so that a sign-out or a restart
 * behaves, and so that several worker processes agree: sessions (by the SHA-256 of their opaque
 * cookie value, never the value itself) and sign-in attempts (for throttling).
 *
 * An attempt is written before its password is checked, under each key it counts against, and
 * counted in the same batch: concurrent attempts are serialised by the database, so each sees
 * the ones before it and no more than the limit ever reach the (costly) password check. An
 * attempt that is refused, or that succeeds, takes its rows back; the rows that stay are failures
 * (and the checks still running).
 */
import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { Db } from './connection';

export const operatorSessions = sqliteTable(
  'operator_sessions',
  {
    /** SHA-256 (base64url) of the cookie's value. */
    id: text('id').primaryKey(),
    operator: text('operator').notNull(),
    /** A fingerprint of the operator's OPERATOR_USERS entry at sign-in: a new password ends the session. */
    credential: text('credential').notNull().default(''),
    createdAt: integer('created_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
  },
  (t) => [index('operator_sessions_last_seen_idx').on(t.lastSeenAt)],
);

export const loginFailures = sqliteTable(
  'login_failures',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** `pair:<address> <name>`, `address:<ip>` or `user:<name>`. */
    key: text('key').notNull(),
    at: integer('at').notNull(),
    /** The attempt that wrote the row (random), so it can take its rows back. */
    attempt: text('attempt'),
  },
  (t) => [index('login_failures_key_at_idx').on(t.key, t.at), index('login_failures_at_idx').on(t.at)],
);

export type OperatorSession = typeof operatorSessions.$inferSelect;

export async function createSession(db: Db, id: string, operator: string, credential: string, now: number): Promise<void> {
  await db.insert(operatorSessions).values({ id, operator, credential, createdAt: now, lastSeenAt: now });
}

/** How long a session may live: without a request (`idleMs`) and at all (`maxMs`). */
export interface SessionLimits {
  idleMs: number;
  maxMs: number;
}

/** The session `id` if it is within both limits; one past either is deleted. */
export async function findSession(db: Db, id: string, now: number, limits: SessionLimits): Promise<OperatorSession | undefined> {
  const [session] = await db.select().from(operatorSessions).where(sql`${operatorSessions.id} = ${id}`);
  if (!session) return undefined;
  if (now - session.lastSeenAt > limits.idleMs || now - session.createdAt > limits.maxMs) {
    await deleteSession(db, id);
    return undefined;
  }
  return session;
}

export async function touchSession(db: Db, id: string, now: number): Promise<void> {
  await db.update(operatorSessions).set({ lastSeenAt: now }).where(sql`${operatorSessions.id} = ${id}`);
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await db.delete(operatorSessions).where(sql`${operatorSessions.id} = ${id}`);
}

/**
 * Records attempt `attempt` under each key and answers, per key, how many rows it has since
 * `since` (this one included). In the same batch, one round trip, the attempt takes its rows back
 * if any key is over its `max` (and, for a key with `and`, that second key over its own too): a
 * refused attempt costs one statement batch and counts for nothing.
 */
export async function recordSignInAttempt(
  db: Db,
  attempt: string,
  keys: { key: string; max: number; and?: { key: string; max: number } }[],
  now: number,
  since: number,
): Promise<Map<string, number>> {
  const rowsOf = (key: string) => sql`(SELECT count(*) FROM ${loginFailures} WHERE ${loginFailures.key} = ${key} AND ${loginFailures.at} >= ${since})`;
  const overOne = ({ key, max, and }: (typeof keys)[number]) =>
    and ? sql`(${rowsOf(key)} > ${max} AND ${rowsOf(and.key)} > ${and.max})` : sql`${rowsOf(key)} > ${max}`;
  const over = sql.join(keys.map(overOne), sql` OR `);
  const [, counted] = await db.batch([
    db.insert(loginFailures).values(keys.map(({ key }) => ({ key, at: now, attempt }))),
    db
      .select({ key: loginFailures.key, n: sql<number>`count(*)` })
      .from(loginFailures)
      .where(sql`${loginFailures.key} IN ${keys.map((k) => k.key)} AND ${loginFailures.at} >= ${since}`)
      .groupBy(loginFailures.key),
    db.delete(loginFailures).where(sql`${loginFailures.attempt} = ${attempt} AND (${over})`),
  ]);
  return new Map(counted.map((row) => [row.key, row.n]));
}

/** Takes back the rows of `attempt` (it could not be checked now). */
export async function withdrawAttempt(db: Db, attempt: string): Promise<void> {
  await db.delete(loginFailures).where(sql`${loginFailures.attempt} = ${attempt}`);
}

/** After a successful sign-in: takes back the attempt and forgets the failures under `key` (the name from that address). */
export async function clearFailures(db: Db, attempt: string, key: string): Promise<void> {
  await db.batch([db.delete(loginFailures).where(sql`${loginFailures.attempt} = ${attempt}`), db.delete(loginFailures).where(sql`${loginFailures.key} = ${key}`)]);
}

/** Sweep: deletes sessions past either limit and failures older than `failuresBefore`; answers how many went. */
export async function purgeSignInState(db: Db, now: number, limits: SessionLimits, failuresBefore: number): Promise<{ sessions: number; failures: number }> {
  const [sessions, failures] = await db.batch([
    db.delete(operatorSessions).where(sql`${operatorSessions.lastSeenAt} < ${now - limits.idleMs} OR ${operatorSessions.createdAt} < ${now - limits.maxMs}`),
    db.delete(loginFailures).where(sql`${loginFailures.at} < ${failuresBefore}`),
  ]);
  return { sessions: sessions.rowsAffected, failures: failures.rowsAffected };
}
