/**
 * Putting a backup in place of a function's database (`npm run restore`): only while the service
 * is stopped, only an intact file of a schema this code knows (an older one is migrated forward at
 * the next start), and the current file (with its WAL) kept aside, never overwritten.
 */
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'libsql';
import { assertIntact } from './backup';
import { servingMarker, servingPid } from './serving-marker';


/** Migrations (drizzle-kit journal `when` stamps) this code knows, and those the backup has applied. */
function schemaCheck(backup: string, migrationsDir: string): { unknown: number; pending: number } {
  const journal = JSON.parse(readFileSync(join(migrationsDir, 'meta/_journal.json'), 'utf8')) as { entries: { when: number }[] };
  const known = new Set(journal.entries.map((e) => e.when));
  const db = new Database(backup, { readonly: true });
  try {
    const applied = (db.prepare('SELECT created_at FROM __drizzle_migrations').all() as { created_at: number }[]).map((r) => Number(r.created_at));
    return { unknown: applied.filter((w) => !known.has(w)).length, pending: [...known].filter((w) => !applied.includes(w)).length };
  } finally {
    db.close();
  }
}

export interface RestoreResult {
  /** Where the file that was in place went (undefined when there was none). */
  keptAside?: string;
  /** Migrations the next start will apply to the restored file. */
  pendingMigrations: number;
}

/** Puts `backup` in place of the database at `dbPath`; throws with the reason when it must not. */
export function restoreBackup(dbPath: string, backup: string, migrationsDir: string, now = new Date()): RestoreResult {
  const pid = servingPid(dbPath);
  if (pid !== undefined) throw new Error(`the service is running (pid ${pid}); stop it first (systemctl stop …)`);
  if (!existsSync(backup)) throw new Error(`no backup at ${backup}`);
  assertIntact(backup);
  const { unknown, pending } = schemaCheck(backup, migrationsDir);
  if (unknown > 0) throw new Error(`the backup has ${unknown} migration(s) this version does not know: it comes from a newer version`);

  let keptAside: string | undefined;
  if (existsSync(dbPath)) {
    keptAside = `${dbPath}.replaced-${now.toISOString().replace(/[-:.]/g, '')}`;
    // The WAL may hold committed transactions (after a kill -9): it goes aside with its file.
    for (const suffix of ['-wal', '-shm']) if (existsSync(dbPath + suffix)) renameSync(dbPath + suffix, keptAside + suffix);
    renameSync(dbPath, keptAside);
  }
  const temporary = `${dbPath}.restoring`;
  copyFileSync(backup, temporary);
  assertIntact(temporary);
  renameSync(temporary, dbPath);
  rmSync(servingMarker(dbPath), { force: true });
  return { keptAside, pendingMigrations: pending };
}
