/**
 * The host's backups on a schedule: every BACKUP_INTERVAL (the first at once when the newest is
 * older than that), one at a time, each in a child process (backup-child.ts) so that the event
 * loop serving the database to workerd never waits on the copy or its integrity check. A failure
 * is logged and counted and never stops the service; a backup skipped for want of disk space is
 * logged and counted apart. Leftovers of unfinished backups are removed at start.
 */
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import type { BackupStatus } from '../db/storage-report';
import type { Logger } from '../functions/host-contract/logger';
import { listBackups, removeLeftovers, type BackupSettings } from './backup';
import { BACKUP_BUNDLE } from './bundle.mjs';

// What /healthz and /metrics report of backups is times and counts only (db/storage-report.ts):
// /healthz is open on the LAN, so the error itself (which names files) goes to the log.

/** How long one listing of BACKUP_DIR is reused: /healthz may be asked often, and the folder changes once a day. */
const LISTING_TTL_MS = 1000;

type ChildReport = { outcome: 'taken'; path: string } | { outcome: 'skipped' | 'failed'; error: string };

/** Runs one backup in a child process; answers its report. */
function backupInChild(source: string, fn: string, settings: BackupSettings): Promise<ChildReport> {
  return new Promise((resolve) => {
    const job = JSON.stringify({ source, fn, dir: settings.dir, keep: settings.keep, minFreeBytes: settings.minFreeBytes });
    const child = spawn(process.execPath, [BACKUP_BUNDLE, job], { stdio: ['ignore', 'pipe', 'pipe'] });
    // The lowest CPU priority: on a small VM the copy must not take a core the service needs.
    try {
      if (child.pid !== undefined) setPriority(child.pid, 19);
    } catch {
      // Not allowed here: the backup runs at the service's priority.
    }
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', (error) => resolve({ outcome: 'failed', error: error.message }));
    child.on('close', (code, signal) => {
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as ChildReport);
      } catch {
        resolve({ outcome: 'failed', error: `the backup process ended (${signal ?? `exit ${code}`}) without a report: ${err.trim().slice(0, 300)}` });
      }
    });
  });
}

export class BackupScheduler {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #failures = 0;
  #skipped = 0;
  #lastFailureAt: number | null = null;
  #listing: { at: number; newest: { path: string; at: number } | undefined } | undefined;

  constructor(
    private readonly source: string,
    private readonly fn: string,
    private readonly settings: BackupSettings,
    private readonly log: Logger,
  ) {}

  start(): void {
    const removed = removeLeftovers(this.settings.dir, this.fn);
    if (removed > 0) this.log.warn('removed what unfinished backups left', { files: removed, dir: this.settings.dir });
    const newest = listBackups(this.settings.dir, this.fn)[0];
    const dueIn = newest ? Math.max(0, newest.at + this.settings.intervalMs - Date.now()) : 0;
    this.#schedule(dueIn);
  }

  /** Stops the schedule and waits for a backup under way (its child finishes or cleans up). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** Takes one now, unless one is under way; never throws. */
  runOnce(): Promise<void> {
    this.#running ??= this.#take().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #take(): Promise<void> {
    const started = Date.now();
    const report = await backupInChild(this.source, this.fn, this.settings);
    this.#listing = undefined;
    if (report.outcome === 'taken') {
      this.#lastFailureAt = null;
      this.log.info('backup taken', { path: report.path, ms: Date.now() - started });
    } else if (report.outcome === 'skipped') {
      this.#skipped += 1;
      this.log.warn('backup skipped; the service goes on', { reason: report.error, skipped: this.#skipped });
    } else {
      this.#failures += 1;
      this.#lastFailureAt = Date.now();
      this.log.error('backup failed; the service goes on', { error: report.error, failures: this.#failures });
    }
  }

  status(now = Date.now()): BackupStatus {
    if (!this.#listing || now - this.#listing.at >= LISTING_TTL_MS) this.#listing = { at: now, newest: listBackups(this.settings.dir, this.fn)[0] };
    const { newest } = this.#listing;
    return {
      last_good_at: newest ? new Date(newest.at).toISOString() : null,
      last_good_age_s: newest ? Math.round((now - newest.at) / 1000) : null,
      failures: this.#failures,
      skipped: this.#skipped,
      last_failure_at: this.#lastFailureAt === null ? null : new Date(this.#lastFailureAt).toISOString(),
    };
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.runOnce().then(() => this.#schedule(this.settings.intervalMs));
    }, delayMs);
    this.#timer.unref();
  }
}
