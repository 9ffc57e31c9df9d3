/**
 * Operator sign-in state, kept in each function's own database so that a sign-out or a restart
 * behaves, and so that several worker processes agree: sessions (by the SHA-256 of their opaque
 * cookie value, never the value itself) and recent failed sign-ins (for throttling).
 */
import { and, count, eq, gte, inArray, lt } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { Db } from './connection';

export const operatorSessions = sqliteTable('operator_sessions', {
  /** SHA-256 (base64url) of the cookie's value. */
  id: text('id').primaryKey(),
  operator: text('operator').notNull(),
  createdAt: integer('created_at').notNull(),
  lastSeenAt: integer('last_seen_at').notNull(),
});

export const loginFailures = sqliteTable(
  'login_failures',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** `user:<name>` or `address:<ip>`. */
    key: text('key').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('login_failures_key_at_idx').on(t.key, t.at)],
);

export type OperatorSession = typeof operatorSessions.$inferSelect;

export async function createSession(db: Db, id: string, operator: string, now: number): Promise<void> {
  await db.insert(operatorSessions).values({ id, operator, createdAt: now, lastSeenAt: now });
}

/** The session `id` if it was seen within `idleMs`; an idle one is deleted. */
export async function findSession(db: Db, id: string, now: number, idleMs: number): Promise<OperatorSession | undefined> {
  const [session] = await db.select().from(operatorSessions).where(eq(operatorSessions.id, id));
  if (!session) return undefined;
  if (now - session.lastSeenAt > idleMs) {
    await db.delete(operatorSessions).where(eq(operatorSessions.id, id));
    return undefined;
  }
  return session;
}

export async function touchSession(db: Db, id: string, now: number): Promise<void> {
  await db.update(operatorSessions).set({ lastSeenAt: now }).where(eq(operatorSessions.id, id));
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await db.delete(operatorSessions).where(eq(operatorSessions.id, id));
}

/** Failed sign-ins per key since `since`, the largest count first. */
export async function failuresSince(db: Db, keys: string[], since: number): Promise<number> {
  const rows = await db
    .select({ key: loginFailures.key, n: count() })
    .from(loginFailures)
    .where(and(inArray(loginFailures.key, keys), gte(loginFailures.at, since)))
    .groupBy(loginFailures.key);
  return Math.max(0, ...rows.map((r) => r.n));
}

/** Records a failure under each key, and forgets failures older than `forgetBefore`. */
export async function recordFailure(db: Db, keys: string[], now: number, forgetBefore: number): Promise<void> {
  await db.batch([db.insert(loginFailures).values(keys.map((key) => ({ key, at: now }))), db.delete(loginFailures).where(lt(loginFailures.at, forgetBefore))]);
}

/** Forgets the failures of `key` (after a successful sign-in). */
export async function clearFailures(db: Db, key: string): Promise<void> {
  await db.delete(loginFailures).where(eq(loginFailures.key, key));
}
