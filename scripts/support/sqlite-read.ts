/** Reads a SQLite file directly (tests and the benchmark check what the services wrote this way). */
import Database from 'libsql';

/** Runs one query on the file at `path` and closes it. */
export function queryFile<T>(path: string, sql: string): T[] {
  const db = new Database(path);
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}
