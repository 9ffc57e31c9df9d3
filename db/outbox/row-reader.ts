/** Reading rows that hand-written SQL returns (`SELECT *`, `RETURNING *`) as drizzle's select would type them. */
import { getTableColumns, type Table } from 'drizzle-orm';

/** A reader of `table`'s rows: column names to the schema's property names (read from the schema, so they cannot drift). */
export function rowReader<T extends Table>(table: T): (row: Record<string, unknown>) => T['$inferSelect'] {
  const columns = Object.entries(getTableColumns(table)).map(([key, column]) => [key, column.name] as const);
  return (row) => Object.fromEntries(columns.map(([key, name]) => [key, row[name]])) as T['$inferSelect'];
}
