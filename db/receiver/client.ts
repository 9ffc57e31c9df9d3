/** The receiver's drizzle instance over the worker's libSQL client. */
import type { Client } from '@libsql/client/web';
import type { LibSQLDatabase } from 'drizzle-orm/libsql';
import { drizzle } from 'drizzle-orm/libsql/web';
import { databaseClient, type DatabaseEnv } from '../../functions/shared/database';

/** drizzle over the libSQL client; `$client` is the client itself, for hand-written hot-path batches. */
export type ReceiverDb = LibSQLDatabase & { $client: Client };

/** A drizzle instance for one request (see `databaseClient` for why nothing is shared across requests). */
export function receiverDb(env: DatabaseEnv): ReceiverDb {
  return drizzle({ client: databaseClient(env) });
}
