/**
 * A function's database as its worker reaches it. For a `file:` URL the host opens the SQLite
 * file and answers the libSQL remote protocol from it, guarded by a token made for this start:
 * on a 0600 unix socket for workerd under the host, or on a loopback TCP port for `npm run dev`,
 * where Wrangler's workers reach it by URL like any libSQL server. A remote libSQL server is
 * left as it is.
 */
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../functions/host-contract/logger';
import { BackupScheduler } from './backup-scheduler';
import type { DatabaseSettings } from './function-config-schemas';
import type { FunctionSpec } from './served-functions';
import { HranaEndpoint } from './hrana/endpoint';
import { listenHrana } from './hrana/http';
import { servingMarker, servingPid } from './serving-marker';
import type { HostSettings } from './host-settings';
import { filePathOf, openSqlite, type SqliteDb } from './sqlite';
import { StorageWatch } from './storage';

/** The database as the worker will reach it, and how to close it when the host stops. */
export interface ServedDatabase {
  /** The token the worker must present (the per-start one, or a remote server's). */
  authToken: string | undefined;
  /** Where the worker's `LIBSQL` binding points (the unix socket), or that it uses the network. */
  binding: { unixSocket: string } | { network: true };
  /** The URL the worker gives its client: the loopback endpoint's, or the configured one. */
  url: string;
  close(): Promise<void>;
}

/** Where to answer the libSQL protocol for a `file:` database. */
export type Listen = { socketPath: string } | { port: number };

/**
 * Serves `config.DATABASE_URL` for the worker (see the module comment). Migrations are applied
 * before this (by the preflight, or the developer loop).
 */
export async function serveDatabase(
  spec: FunctionSpec,
  config: DatabaseSettings,
  host: Pick<HostSettings, 'SQLITE_SYNCHRONOUS' | 'MIN_FREE_DISK_MB' | 'BACKUP_DIR' | 'BACKUP_INTERVAL' | 'BACKUP_KEEP'>,
  where: Listen,
  log: Logger,
): Promise<ServedDatabase> {
  if (!config.DATABASE_URL.startsWith('file:')) {
    if (host.BACKUP_DIR) log.warn('BACKUP_DIR is ignored: the database is a libSQL server, whose backups are its own business');
    return { authToken: config.DATABASE_AUTH_TOKEN, binding: { network: true }, url: config.DATABASE_URL, close: async () => undefined };
  }
  const token = randomBytes(32).toString('base64url');
  const path = filePathOf(config.DATABASE_URL);
  const pid = servingPid(path);
  if (pid !== undefined) throw new Error(`another host (pid ${pid}) serves ${path}`);
  const sqlite: SqliteDb = openSqlite(path, host.SQLITE_SYNCHRONOUS);
  writeFileSync(servingMarker(path), `${process.pid}\n`);
  spec.beforeStart?.(sqlite);
  const storage = new StorageWatch(path, host.MIN_FREE_DISK_MB * 1024 * 1024);
  const backups = host.BACKUP_DIR
    ? new BackupScheduler(path, spec.name, { dir: host.BACKUP_DIR, intervalMs: host.BACKUP_INTERVAL, keep: host.BACKUP_KEEP, minFreeBytes: host.MIN_FREE_DISK_MB * 1024 * 1024 }, log)
    : undefined;
  backups?.start();
  const endpoint = new HranaEndpoint(sqlite, { refusal: () => storage.refusal() });
  // Both readings are reused however often /healthz (open to the LAN) asks: the storage's for 250 ms, the backup folder's for a second.
  const health = () => ({ ...storage.status(), backup: backups?.status() ?? null });
  const server = await listenHrana(endpoint, where, { token, health });
  const tcp = 'port' in where ? `http://127.0.0.1:${(server.address() as AddressInfo).port}` : undefined;
  return {
    authToken: token,
    binding: tcp ? { network: true } : { unixSocket: (where as { socketPath: string }).socketPath },
    url: tcp ?? config.DATABASE_URL,
    async close() {
      await backups?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      endpoint.close();
      sqlite.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      sqlite.close();
      rmSync(servingMarker(path), { force: true });
    },
  };
}
