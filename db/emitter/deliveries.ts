/**
 * The outbox as operators see it: a page of messages (the API's list and the console's), one
 * message with every attempt, and putting messages back in line.
 */
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../connection';
import { requeue } from '../outbox/upkeep';
import { EMITTER_OUTBOX } from './outbox';
import { newestFirst, pageOf, type Page, type PageRequest } from '../newest-first-page';
import { anyContains } from '../search';
import { deliveryAttempts, outboxMessages, type DeliveryAttempt, type DeliveryStatus, type OutboxMessage } from './schema';

export interface MessageFilter extends PageRequest {
  status?: DeliveryStatus;
  /** Part of a domain, or a session id (what a person typed). */
  search?: string;
}

/** The query of one page of messages, newest first; run it alone or in a batch, then `pageOf` its rows. */
export function messagePageQuery(db: Db, filter: MessageFilter) {
  return newestFirst(
    db.select().from(outboxMessages).$dynamic(),
    outboxMessages.seq,
    [filter.status ? eq(outboxMessages.status, filter.status) : undefined, anyContains(filter.search, [outboxMessages.domain, outboxMessages.sessionId])],
    filter,
  );
}

/** One page of messages, newest first. */
export async function listMessages(db: Db, filter: MessageFilter): Promise<Page<OutboxMessage>> {
  return pageOf(await messagePageQuery(db, filter), filter);
}

/** One message with every attempt, oldest first. */
export async function getMessageWithAttempts(db: Db, id: string): Promise<{ message: OutboxMessage; attempts: DeliveryAttempt[] } | null> {
  const [messages, attempts] = await db.batch([
    db.select().from(outboxMessages).where(eq(outboxMessages.id, id)),
    db.select().from(deliveryAttempts).where(eq(deliveryAttempts.messageId, id)).orderBy(asc(deliveryAttempts.id)),
  ]);
  const message = messages[0];
  return message ? { message, attempts } : null;
}

/** Puts messages back in line (the engine's requeue over the emitter's outbox); answers how many. */
export function requeueMessages(db: Db, where: { id: string } | { statuses: DeliveryStatus[]; since?: number }, now: number): Promise<number> {
  return requeue(db, EMITTER_OUTBOX, where, now);
}
