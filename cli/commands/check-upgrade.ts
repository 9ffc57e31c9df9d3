/**
 * `ops-webhook check-upgrade receiver|emitter`, run by the package's postinst before it restarts
 * a service on an upgrade: the new version's migrations are applied to a copy of the database
 * (VACUUM INTO, in the data folder), never to the database itself. Exit 1 when they fail, and the
 * running version is left serving.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'libsql';
import { applyMigrations } from '../../host/migrations';
import { ROOT } from '../../host/project.mjs';
import { functionSpec } from '../../host/served-functions';
import { pickRole } from '../configured';
import { STATE } from '../layout';
import { done, StepFailure } from '../report';
import { actAsServiceUser, requireRoot } from '../system';
import { databasePath } from './backup-restore';

export async function checkUpgrade(role: string | undefined): Promise<void> {
  requireRoot('check-upgrade');
  const configured = pickRole('check-upgrade', role);
  const source = databasePath(configured);
  if (!existsSync(source)) {
    done(`${configured.role} has no database yet: nothing to migrate`);
    return;
  }
  actAsServiceUser();
  const copy = join(STATE, `.upgrade-check-${configured.role}-${process.pid}.db`);
  try {
    const db = new Database(source, { readonly: true, timeout: 5000 });
    try {
      db.exec(`VACUUM INTO '${copy.replace(/'/g, "''")}'`);
    } finally {
      db.close();
    }
    try {
      await applyMigrations(`file:${copy}`, undefined, join(ROOT, functionSpec(configured.role).migrations));
    } catch (err) {
      throw new StepFailure(`${configured.role} migrations`, (err as Error).message, 'the database is untouched and the running version keeps serving; install a fixed package');
    }
    done(`${configured.role} migrations apply to a copy of its database`);
  } finally {
    for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(copy + suffix, { force: true });
  }
}
