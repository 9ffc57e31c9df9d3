/**
 * Online backups of the SQLite file a host serves: `VACUUM INTO` on a separate read-only
 * connection (a consistent snapshot while intake goes on; WAL lets writers continue), written
 * under a temporary name (0600), fsynced, checked with `PRAGMA integrity_check`, then renamed into
 * place, and the oldest pruned past BACKUP_KEEP. A backup that fails leaves no file behind; one
 * that would bring the free space under MIN_FREE_DISK_MB plus the database's size is not started.
 * The host runs this in a child process (backup-scheduler.ts), so that the thread serving the
 * database never waits on it; `ops-webhook backup` and `npm run backup` run it directly.
 */
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statfsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'libsql';

export interface BackupSettings {
  dir: string;
  intervalMs: number;
  keep: number;
  /** MIN_FREE_DISK_MB in bytes: a backup is not started when it would leave less than this free. */
  minFreeBytes: number;
}

const NAME = (fn: string) => new RegExp(`^${fn}-(\\d{8}T\\d{6}(?:\\d{3})?Z)\\.db$`);
/** What a backup that did not finish leaves: its temporary file and SQLite's journal beside it. */
const LEFTOVER = (fn: string) => new RegExp(`^${fn}-\\d{8}T\\d{6}(?:\\d{3})?Z\\.db\\.tmp`);

/** A backup not started because the disk would be too full: not a failure of the backup itself. */
export class BackupSkipped extends Error {
  override name = 'BackupSkipped';
}

/** `receiver-20261130T101500123Z.db`: sortable by name, one per millisecond at most. */
function backupName(fn: string, at: Date): string {
  return `${fn}-${at.toISOString().replace(/[-:.]/g, '')}.db`;
}

/** The backups of `fn` in `dir`, newest first. */
export function listBackups(dir: string, fn: string): { path: string; at: number }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => NAME(fn).test(name))
    .sort()
    .reverse()
    .map((name) => ({ path: join(dir, name), at: statSync(join(dir, name)).mtimeMs }));
}

/** Removes what unfinished backups of `fn` left in `dir` (at start, and after each backup); answers how many files. */
export function removeLeftovers(dir: string, fn: string): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  const leftovers = names.filter((name) => LEFTOVER(fn).test(name));
  for (const name of leftovers) rmSync(join(dir, name), { force: true });
  return leftovers.length;
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** `PRAGMA integrity_check` of the file at `path`; throws unless it says ok. */
export function assertIntact(path: string): void {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
    const result = rows.map((r) => r.integrity_check).join('; ');
    if (result !== 'ok') throw new Error(`integrity_check of ${path}: ${result}`);
  } finally {
    db.close();
  }
}

/** The folder, made 0700 (and brought to 0700 when it was looser: backups hold every event). */
function backupFolder(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/** Throws {@link BackupSkipped} when a copy of `source` would leave less than `minFreeBytes` free in `dir`. */
function assertRoom(source: string, dir: string, minFreeBytes: number): void {
  const size = statSync(source).size;
  const fs = statfsSync(dir);
  const free = fs.bavail * fs.bsize;
  if (free < minFreeBytes + size) {
    const mb = (n: number) => `${Math.floor(n / 1048576)} MiB`;
    throw new BackupSkipped(`not enough free space in ${dir}: ${mb(free)} free, and a backup needs the database's ${mb(size)} plus MIN_FREE_DISK_MB (${mb(minFreeBytes)})`);
  }
}

/** Takes one backup of `source` into `settings.dir` and prunes the oldest; returns its path. */
export function takeBackup(source: string, fn: string, settings: Pick<BackupSettings, 'dir' | 'keep' | 'minFreeBytes'>, at = new Date()): string {
  backupFolder(settings.dir);
  assertRoom(source, settings.dir, settings.minFreeBytes);
  const final = join(settings.dir, backupName(fn, at));
  const temporary = `${final}.tmp`;
  const previousUmask = process.umask(0o077);
  try {
    const db = new Database(source, { readonly: true, timeout: 5 });
    try {
      db.exec(`VACUUM INTO '${temporary.replace(/'/g, "''")}'`);
    } finally {
      db.close();
    }
    chmodSync(temporary, 0o600);
    fsyncPath(temporary);
    assertIntact(temporary);
    renameSync(temporary, final);
    fsyncPath(settings.dir);
  } catch (err) {
    // A full disk or a file-size limit mid-copy: what was written goes, or every retry would add a file.
    for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(temporary + suffix, { force: true });
    throw err;
  } finally {
    process.umask(previousUmask);
  }
  for (const old of listBackups(settings.dir, fn).slice(settings.keep)) rmSync(old.path, { force: true });
  removeLeftovers(settings.dir, fn);
  return final;
}
