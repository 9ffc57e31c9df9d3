/**
 * Tells a database that cannot be reached (answer 503 so the sender retries) from a statement
 * that failed inside SQLite (a bug: answer 500).
 */
import { apiError } from './http-errors';

/** Seconds a client should wait before retrying when the database is down. */
export const RETRY_AFTER_SECONDS = 5;

function sqliteCode(err: unknown): string | undefined {
  // drizzle wraps driver errors; LibsqlError carries the SQLite code (SQLITE_CONSTRAINT_UNIQUE, ...).
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) return code;
  }
  return undefined;
}

/**
 * SQLite results that say the storage, not the statement, failed: busy or locked, an I/O error
 * (any extended code), a full disk, a file that cannot be opened or written. A retry may succeed.
 */
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY)/;

/** True when `err` means the database could not be reached or could not take the write, not that SQL was wrong. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const code = sqliteCode(err);
  return code === undefined || UNAVAILABLE.test(code);
}

/** Runs `fn`; a database that is unreachable becomes a 503 `database_unavailable` with Retry-After. */
export async function withDatabase<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isDatabaseUnavailable(err)) {
      throw apiError(503, 'database_unavailable', 'the database is unavailable; retry later', {
        headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
      });
    }
    throw err;
  }
}
