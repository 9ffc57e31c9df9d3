/**
 * Online backups of the SQLite file a host serves: `VACUUM INTO` on a separate read-only
 * connection (a consistent snapshot while intake goes on; WAL lets writers continue), written
 * under a temporary name, fsynced, checked with `PRAGMA integrity_check`, then renamed into place,
 * and the oldest pruned past BACKUP_KEEP. A failure is logged and counted and never stops the
 * service. The same function serves `npm run backup`.
 */
import type { BackupStatus } from '../db/storage-report';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'libsql';
import type { Logger } from '../functions/shared/logger';

export interface BackupSettings {
  dir: string;
  intervalMs: number;
  keep: number;
}

// What /healthz and /metrics report of backups is times and counts only (db/storage-report.ts):
// /healthz is open on the LAN, so the error itself (which names files) goes to the log.

/** How long one listing of BACKUP_DIR is reused: /healthz may be asked often, and the folder changes once a day. */
const LISTING_TTL_MS = 1000;

const NAME = (fn: string) => new RegExp(`^${fn}-(\\d{8}T\\d{6}(?:\\d{3})?Z)\\.db$`);

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

/** Takes one backup of `source` into `settings.dir` and prunes the oldest; returns its path. */
export function takeBackup(source: string, fn: string, settings: Pick<BackupSettings, 'dir' | 'keep'>, at = new Date()): string {
  mkdirSync(settings.dir, { recursive: true, mode: 0o700 });
  const final = join(settings.dir, backupName(fn, at));
  const temporary = `${final}.tmp`;
  rmSync(temporary, { force: true });
  const db = new Database(source, { readonly: true, timeout: 5 });
  try {
    db.exec(`VACUUM INTO '${temporary.replace(/'/g, "''")}'`);
  } finally {
    db.close();
  }
  try {
    fsyncPath(temporary);
    assertIntact(temporary);
    renameSync(temporary, final);
    fsyncPath(settings.dir);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw err;
  }
  for (const old of listBackups(settings.dir, fn).slice(settings.keep)) rmSync(old.path, { force: true });
  return final;
}

/** Takes backups every `intervalMs` (the first at once when the newest is older than that). */
export class BackupScheduler {
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  #lastFailureAt: number | null = null;
  #listing: { at: number; newest: { path: string; at: number } | undefined } | undefined;

  constructor(
    private readonly source: string,
    private readonly fn: string,
    private readonly settings: BackupSettings,
    private readonly log: Logger,
  ) {}

  start(): void {
    const newest = listBackups(this.settings.dir, this.fn)[0];
    const dueIn = newest ? Math.max(0, newest.at + this.settings.intervalMs - Date.now()) : 0;
    this.#schedule(dueIn);
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  /** Takes one now; never throws. */
  runOnce(): void {
    const started = Date.now();
    try {
      const path = takeBackup(this.source, this.fn, this.settings);
      this.#lastFailureAt = null;
      this.#listing = undefined;
      this.log.info('backup taken', { path, ms: Date.now() - started });
    } catch (err) {
      this.#failures += 1;
      this.#lastFailureAt = Date.now();
      this.log.error('backup failed; the service goes on', { error: (err as Error).message, failures: this.#failures });
    }
  }

  status(now = Date.now()): BackupStatus {
    if (!this.#listing || now - this.#listing.at >= LISTING_TTL_MS) this.#listing = { at: now, newest: listBackups(this.settings.dir, this.fn)[0] };
    const { newest } = this.#listing;
    return {
      last_good_at: newest ? new Date(newest.at).toISOString() : null,
      last_good_age_s: newest ? Math.round((now - newest.at) / 1000) : null,
      failures: this.#failures,
      last_failure_at: this.#lastFailureAt === null ? null : new Date(this.#lastFailureAt).toISOString(),
    };
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => {
      this.runOnce();
      this.#schedule(this.settings.intervalMs);
    }, delayMs);
    this.#timer.unref();
  }
}
