/**
 * The libSQL client of a worker. workerd cannot open files, so the worker always talks the
 * libSQL remote protocol (Hrana over HTTP) with the official web client: either to its host,
 * which answers it from a local SQLite file through the `LIBSQL` service binding, or to a real
 * libSQL server (sqld/Turso) named by `DATABASE_URL`.
 */
import { createClient, type Client } from '@libsql/client/web';
import { sql } from 'drizzle-orm';
import type { LibSQLDatabase } from 'drizzle-orm/libsql';
import { drizzle } from 'drizzle-orm/libsql/web';
import type { StorageHealth } from './storage-report';

/** The part of a service binding the client uses (structural, so Node code can type-check this module too). */
export interface FetchBinding {
  fetch(request: Request): Promise<Response>;
}

/** The bindings a worker needs to reach its database. */
export interface DatabaseBindings {
  /** `file:` (served by the host), `http(s)://` or `libsql://`. */
  DATABASE_URL?: string;
  DATABASE_AUTH_TOKEN?: string;
  /** Service binding every database request goes through (the host's socket, or the network). */
  LIBSQL?: FetchBinding;
}

/**
 * The database endpoint could not be reached at all (a network failure, not an answer): the one
 * error a request may meet that says so without a SQLite code, marked here where it happens, so
 * that nothing else without a code (a plain bug) is taken for an unavailable database.
 */
export class DatabaseUnreachable extends Error {
  constructor(cause: unknown) {
    super(`the database endpoint could not be reached: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'DatabaseUnreachable';
  }
}

/** The client's transport, with a failure to reach the endpoint marked as such. */
function reaching(send: (request: Request) => Promise<Response>): (request: Request) => Promise<Response> {
  return async function fetchDatabase(request) {
    try {
      return await send(request);
    } catch (err) {
      throw new DatabaseUnreachable(err);
    }
  };
}

/** Placeholder origin for the host's endpoint; the binding decides where bytes go. */
const EMBEDDED_ORIGIN = 'http://libsql.internal';

/**
 * A client for one request. Not cached across requests on purpose: the client queues statements
 * behind a concurrency limit, and workerd cancels a request whose promise is resolved by another
 * request's I/O (seen as "Worker's code had hung" under 50 concurrent deliveries). Creating one
 * is cheap: no connection is opened until the first statement.
 */
function databaseClient(env: DatabaseBindings): Client {
  const configured = env.DATABASE_URL ?? 'file:';
  const binding = env.LIBSQL;
  return createClient({
    url: configured.startsWith('file:') ? EMBEDDED_ORIGIN : configured,
    authToken: env.DATABASE_AUTH_TOKEN || undefined,
    intMode: 'number',
    fetch: reaching(binding ? (request: Request) => binding.fetch(request) : (request: Request) => fetch(request)),
  });
}

/** drizzle over the libSQL client; `$client` is the client itself, for hand-written hot-path batches. */
export type Db = LibSQLDatabase & { $client: Client };

/** A hand-written statement with its named arguments (`:name` in the SQL, `name` here). */
export interface Statement {
  sql: string;
  args: Record<string, string | number | null>;
}

/** A drizzle instance for one request (see {@link databaseClient} for why nothing is shared across requests). */
export function openDatabase(env: DatabaseBindings): Db {
  return drizzle({ client: databaseClient(env) });
}

export type { StorageHealth } from './storage-report';

/**
 * The storage report of the host serving a `file:` database, or undefined where there is none
 * to ask (a remote libSQL server keeps its own storage; a test endpoint may not report it).
 */
export async function readStorageHealth(env: DatabaseBindings): Promise<StorageHealth | undefined> {
  if (!(env.DATABASE_URL ?? 'file:').startsWith('file:') || !env.LIBSQL) return undefined;
  const headers: Record<string, string> = env.DATABASE_AUTH_TOKEN ? { authorization: `Bearer ${env.DATABASE_AUTH_TOKEN}` } : {};
  const res = await env.LIBSQL.fetch(new Request(`${EMBEDDED_ORIGIN}/health`, { headers }));
  if (res.status !== 200) return undefined;
  return (await res.json()) as StorageHealth;
}

/** A trivial round trip, for health checks. */
export async function pingDatabase(db: Db): Promise<void> {
  await db.run(sql`SELECT 1`);
}
