/** Reading outbox rows that hand-written SQL returns (`SELECT *`, `RETURNING *`) as drizzle's select would type them. */
import { rowReader } from '../outbox/row-reader';
import { outboxMessages, type OutboxMessage } from './schema';

/** One row, by the schema's property names. */
export const messageFromRow: (row: Record<string, unknown>) => OutboxMessage = rowReader(outboxMessages);
