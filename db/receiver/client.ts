/** The receiver's drizzle instance over the worker's libSQL client. */
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql/web';
import { databaseClient, type DatabaseEnv } from '../../functions/shared/database';
import * as schema from './schema';

export type ReceiverDb = LibSQLDatabase<typeof schema>;

const instances = new WeakMap<object, ReceiverDb>();

/** One drizzle instance per environment (isolate), like the client beneath it. */
export function receiverDb(env: DatabaseEnv): ReceiverDb {
  let db = instances.get(env);
  if (db === undefined) {
    db = drizzle({ client: databaseClient(env), schema });
    instances.set(env, db);
  }
  return db;
}
