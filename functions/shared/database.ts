/**
 * Opens the libSQL database for a worker. workerd cannot open files, so the worker always talks
 * the libSQL remote protocol (Hrana over HTTP) with the official web client: either to the serve
 * process, which answers it from a local SQLite file through the `LIBSQL` service binding, or
 * to a real libSQL server (sqld/Turso) named by `DATABASE_URL`.
 */
import { createClient, type Client } from '@libsql/client/web';

/** The bindings a worker needs to reach its database. */
export interface DatabaseEnv {
  /** `file:` (served by the serve process), `http(s)://` or `libsql://`. */
  DATABASE_URL?: string;
  DATABASE_AUTH_TOKEN?: string;
  /** Service binding every database request goes through (the serve process's socket, or the network). */
  LIBSQL?: Fetcher;
}

/** Placeholder origin for the serve process's endpoint; the binding decides where bytes go. */
const EMBEDDED_ORIGIN = 'http://libsql.internal';

const clients = new WeakMap<object, Client>();

/** The client for this environment, created once per isolate and reused by every request. */
export function databaseClient(env: DatabaseEnv): Client {
  let client = clients.get(env);
  if (client === undefined) {
    const configured = env.DATABASE_URL ?? 'file:';
    const url = configured.startsWith('file:') ? EMBEDDED_ORIGIN : configured;
    const binding = env.LIBSQL;
    client = createClient({
      url,
      authToken: env.DATABASE_AUTH_TOKEN || undefined,
      intMode: 'number',
      fetch: binding ? (request: Request) => binding.fetch(request) : undefined,
    });
    clients.set(env, client);
  }
  return client;
}
