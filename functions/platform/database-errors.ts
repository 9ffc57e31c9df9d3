/**
 * Tells a database that cannot be reached or cannot take the write (answer 503 so the sender
 * retries) from everything else: a statement that failed inside SQLite, or any other error, a
 * bug in domain code included (500, logged, and the emitter retries it on its normal schedule).
 * Only positive evidence is 503.
 */
import { DatabaseUnreachable } from '../../db/connection';
import { apiError } from './http/http-errors';

/** Seconds a client should wait before retrying when the database is down. */
export const RETRY_AFTER_SECONDS = 5;

/** The error and its causes (drizzle wraps driver errors; LibsqlError wraps the protocol's). */
function* chain(err: unknown): Generator<Error> {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) yield e;
}

function libsqlCode(err: unknown): string | undefined {
  for (const e of chain(err)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^(SQLITE_|SERVER_ERROR$|HRANA_)/.test(code)) return code;
  }
  return undefined;
}

/**
 * Results that say the storage, not the statement, failed: busy or locked, an I/O error (any
 * extended code), a full disk, a file that cannot be opened or written; or the endpoint answered
 * with a server error or dropped the stream. A retry may succeed.
 */
const UNAVAILABLE = /^(SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY)|SERVER_ERROR$|HRANA_(CLOSED|WEBSOCKET)_ERROR$)/;

/** True only on positive evidence that the database could not be reached or could not take the write. */
export function isDatabaseUnavailable(err: unknown): boolean {
  if ([...chain(err)].some((e) => e instanceof DatabaseUnreachable)) return true;
  const code = libsqlCode(err);
  return code !== undefined && UNAVAILABLE.test(code);
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
