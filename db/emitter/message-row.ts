/** Reading outbox rows that hand-written SQL returns (`SELECT *`, `RETURNING *`) as drizzle's select would type them. */
import { getTableColumns } from 'drizzle-orm';
import { outboxMessages, type OutboxMessage } from './schema';

/** Property name → column name of the outbox table, read from the schema (so it cannot drift). */
const MESSAGE_COLUMNS = Object.entries(getTableColumns(outboxMessages)).map(([key, column]) => [key, column.name] as const);

/** One row, by the schema's property names. */
export function messageFromRow(row: Record<string, unknown>): OutboxMessage {
  return Object.fromEntries(MESSAGE_COLUMNS.map(([key, name]) => [key, row[name]])) as OutboxMessage;
}
