/**
 * Backups that never stall intake or fill the disk (the review's findings 1, 2 and 7): a failed
 * backup leaves nothing, leftovers go at start, a backup that would fill the disk is skipped and
 * counted, intake is served while a large backup runs, and every file is 0600.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'libsql';
import { afterAll, describe, expect, it } from 'vitest';
import { BackupSkipped, takeBackup } from '../../host/backup';
import { makeEvent } from '../support/factories';
import { serveFixture } from '../support/serve-fixture';
import { waitFor } from '../support/wait';

const SECRET = `backup-safety-${crypto.randomUUID()}-${crypto.randomUUID()}`;
const fx = serveFixture('backup-safety');
const mounts: string[] = [];
const MIB = 1024 * 1024;

afterAll(() => {
  // Lazily: a handle the libSQL binding has not released yet must not fail the run.
  for (const dir of mounts) execFileSync('umount', ['-l', dir]);
});

/** A small file system of its own (tmpfs, `size` bytes): a disk that fills. */
function smallDisk(name: string, size: number): string {
  const dir = fx.file(name);
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

/** A SQLite file holding `mib` MiB of random bytes (random, so no copy of it is smaller). */
function ballast(path: string, mib: number): void {
  const db = new Database(path);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS ballast (b BLOB)');
  const insert = db.prepare('INSERT INTO ballast VALUES (randomblob(1048576))');
  db.transaction(() => {
    for (let i = 0; i < mib; i++) insert.run();
  })();
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close();
}

const deliver = (url: string) =>
  fetch(`${url}/api/v1/webhooks/onboard`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-webhook-secret': SECRET }, body: JSON.stringify(makeEvent()) });

describe('a backup that cannot finish', () => {
  it('removes its partial files when the disk fills mid-copy, so no retry adds another', () => {
    const source = fx.file('partial.db');
    ballast(source, 6);
    const dir = smallDisk('full-disk', 3 * MIB);
    // Past the free-space guard on purpose (a negative margin), so the copy itself meets the full disk.
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(() => takeBackup(source, 'receiver', { dir, keep: 3, minFreeBytes: -16 * MIB })).toThrow(/full|ENOSPC|no space/i);
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  it('is not started when it would leave less than MIN_FREE_DISK_MB plus the database free', () => {
    const source = fx.file('skipped.db');
    ballast(source, 2);
    const dir = smallDisk('small-disk', 4 * MIB);
    expect(() => takeBackup(source, 'receiver', { dir, keep: 3, minFreeBytes: 3 * MIB })).toThrow(BackupSkipped);
    expect(readdirSync(dir)).toEqual([]);
    // With room enough it is taken, 0600, in a folder brought to 0700.
    const path = takeBackup(source, 'receiver', { dir, keep: 3, minFreeBytes: 0 });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });
});

describe('backups under the real host', () => {
  it('removes leftovers at start, skips (logged and counted in /metrics) a backup that would fill the disk, and intake goes on', async () => {
    const dir = smallDisk('host-small-disk', 2 * MIB);
    writeFileSync(join(dir, 'receiver-20260101T000000000Z.db.tmp'), 'x'.repeat(1000));
    writeFileSync(join(dir, 'receiver-20260101T000000000Z.db.tmp-journal'), 'x');
    const db = fx.file('host-skip.db');
    ballast(db, 3);
    const proc = await fx.serve('receiver', { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${db}`, BACKUP_DIR: dir, BACKUP_INTERVAL: '1d', MIN_FREE_DISK_MB: '0' });
    expect(proc.lines.some((l) => l.includes('removed what unfinished backups left'))).toBe(true);
    await waitFor(() => proc.lines.some((l) => l.includes('backup skipped')));
    expect(readdirSync(dir)).toEqual([]);
    expect(await (await fetch(`${proc.url}/metrics`)).text()).toMatch(/^ops_webhook_backups_skipped_total 1$/m);
    expect((await deliver(proc.url)).status).toBe(201);
  });

  it('answers intake while a large backup is under way (the copy runs in a process of its own), and makes every file 0600', async () => {
    const db = fx.file('large.db');
    const dir = fx.file('large-backups');
    mkdirSync(dir, { mode: 0o755 });
    // Migrated first by a short run, then grown, so the first backup (due at once) takes a while.
    (await fx.serve('receiver', { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${db}` })).kill9();
    ballast(db, 400);
    const proc = await fx.serve('receiver', { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${db}`, BACKUP_DIR: dir, BACKUP_INTERVAL: '1d', LOG_LEVEL: 'info' });
    let backupDoneAt: number | undefined;
    const watch = setInterval(() => {
      if (backupDoneAt === undefined && proc.lines.some((l) => l.includes('"msg":"backup taken"'))) backupDoneAt = performance.now();
    }, 5);
    let answeredAt: number | undefined;
    try {
      expect(backupDoneAt).toBeUndefined();
      expect((await deliver(proc.url)).status).toBe(201);
      answeredAt = performance.now();
      await waitFor(() => backupDoneAt !== undefined, 60_000);
    } finally {
      clearInterval(watch);
    }
    // The intake was answered before the backup ended: nothing waited on the copy.
    expect(answeredAt).toBeLessThan(backupDoneAt!);
    const [backup] = readdirSync(dir).filter((f) => f.endsWith('.db'));
    expect(statSync(join(dir, backup!)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of [db, `${db}-wal`]) if (existsSync(file)) expect(statSync(file).mode & 0o777, file).toBe(0o600);
  }, 120_000);
});
