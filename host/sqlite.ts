/**
 * The host's side of the database: opening the SQLite file with libSQL and the pragmas it
 * runs with (migrations are host/migrations.ts, run before the host proper starts).
 */
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'libsql';

export type SqliteDb = InstanceType<typeof Database>;

/** `synchronous` levels offered: FULL survives power loss; NORMAL survives process crashes (kill -9) only. */
export type SynchronousLevel = 'FULL' | 'NORMAL';

/** The file path of a `file:` URL (relative paths resolve from the working directory). */
export function filePathOf(url: string): string {
  const path = decodeURIComponent(url.replace(/^file:(\/\/)?/, '').split('?')[0]!);
  if (!path) throw new Error('DATABASE_URL names no file');
  return resolve(path);
}

/** Opens the file for serving: WAL journal, the chosen `synchronous` level, foreign keys on. */
export function openSqlite(path: string, synchronous: SynchronousLevel): SqliteDb {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: 5 });
  db.exec('PRAGMA journal_mode = WAL');
  // Files made before the host set its umask (an older version, a copy by hand) are brought to 0600 too.
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file) && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  db.exec(`PRAGMA synchronous = ${synchronous}`);
  db.exec('PRAGMA foreign_keys = ON');
  db.exec('PRAGMA busy_timeout = 5000');
  return db;
}
