/** The emitter's drizzle instance over the worker's libSQL client. */
import type { Client } from '@libsql/client/web';
import type { LibSQLDatabase } from 'drizzle-orm/libsql';
import { drizzle } from 'drizzle-orm/libsql/web';
import { databaseClient, type DatabaseEnv } from '../../functions/shared/database';

/** drizzle over the libSQL client; `$client` is the client itself, for hand-written hot-path batches. */
export type EmitterDb = LibSQLDatabase & { $client: Client };

/** A drizzle instance for one request or sweep (nothing is shared across requests; see databaseClient). */
export function emitterDb(env: DatabaseEnv): EmitterDb {
  return drizzle({ client: databaseClient(env) });
}
