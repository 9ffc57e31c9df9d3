/**
 * `ops-webhook backup` and `ops-webhook restore FILE [--function NAME]`. Both act as the service's
 * user, so every file they make belongs to it. A restore stops the socket units first (a socket
 * left listening would start the service again at the next connection), then the service, puts
 * the backup in place, and starts both again: older backups are migrated forward at that start.
 */
import { join } from 'node:path';
import { BackupSkipped, takeBackup } from '../../host/backup';
import { HOST_SETTINGS } from '../../host/host-settings';
import { ROOT } from '../../host/project.mjs';
import { restoreBackup } from '../../host/restore';
import { functionSpec } from '../../host/served-functions';
import { filePathOf } from '../../host/sqlite';
import { pickRole, requireConfigured, localEndpoint, type Configured } from '../configured';
import { waitForAnswer } from '../https-client';
import { OPERATOR_SOCKET_UNIT, serviceUnit, socketUnit } from '../layout';
import { done, StepFailure } from '../report';
import { actAsServiceUser, isActive, requireRoot, systemctlOrFail } from '../system';

/** The file of a role's `file:` database. */
export function databasePath(configured: Configured): string {
  const url = configured.env.DATABASE_URL ?? '';
  if (!url.startsWith('file:')) throw new StepFailure(configured.role, 'DATABASE_URL names a libSQL server', "back it up with the server's own tools");
  return filePathOf(url);
}

export function backup(): void {
  requireRoot('backup');
  const roles = requireConfigured('backup');
  actAsServiceUser();
  for (const configured of roles) {
    const host = HOST_SETTINGS.pick({ BACKUP_DIR: true, BACKUP_KEEP: true, MIN_FREE_DISK_MB: true }).parse(configured.env);
    if (!host.BACKUP_DIR) throw new StepFailure(`${configured.role} backup`, 'BACKUP_DIR is not set', `add BACKUP_DIR=/var/lib/ops-webhook/backups to /etc/ops-webhook/${configured.role}.env`);
    let path: string;
    try {
      path = takeBackup(databasePath(configured), configured.role, { dir: host.BACKUP_DIR, keep: host.BACKUP_KEEP, minFreeBytes: host.MIN_FREE_DISK_MB * 1048576 });
    } catch (err) {
      throw new StepFailure(`${configured.role} backup`, (err as Error).message, err instanceof BackupSkipped ? `free space under ${host.BACKUP_DIR} (older backups: ls -la ${host.BACKUP_DIR})` : 'ops-webhook doctor; nothing was left behind');
    }
    done(`${configured.role} backed up`, `${path}, integrity_check ok`);
  }
}

export async function restore(file: string | undefined, named: string | undefined): Promise<void> {
  requireRoot('restore');
  if (!file) throw new StepFailure('restore', 'a FILE is required', 'ops-webhook restore /var/lib/ops-webhook/backups/receiver-….db');
  const configured = pickRole('restore', named);
  const sockets = [socketUnit(configured.role), ...(configured.role === 'receiver' && configured.env.OPERATOR_PORT ? [OPERATOR_SOCKET_UNIT] : [])];
  systemctlOrFail('stop', ['stop', ...sockets, serviceUnit(configured.role)], `systemctl status ${serviceUnit(configured.role)}`);
  const still = [...sockets, serviceUnit(configured.role)].filter(isActive);
  if (still.length > 0) throw new StepFailure('restore', `${still.join(', ')} still active after the stop: a connection would start the service during the restore`, `systemctl stop ${still.join(' ')}, then run the restore again`);
  done(`${[...sockets, serviceUnit(configured.role)].join(', ')} stopped`, 'connections are refused until the restore ends; the emitter retries');
  const spec = functionSpec(configured.role);
  const child = await import('node:child_process');
  // The restore itself runs as the service's user in a child, so this process can start the units again as root.
  const result = child.spawnSync(process.execPath, [process.argv[1]!, '__restore-as-service', configured.role, file], { stdio: 'inherit' });
  systemctlOrFail('start', ['start', ...sockets, serviceUnit(configured.role)], `journalctl -u ${serviceUnit(configured.role)} -n 50`);
  if (result.status !== 0) throw new StepFailure('restore', 'the backup was not put in place (above: why); the database is as it was', 'choose another backup (ls /var/lib/ops-webhook/backups)');
  const { base, tls } = localEndpoint(configured);
  await waitForAnswer(`${base}/healthz`, 200, { tls, timeoutMs: 30_000 }).catch(() => undefined);
  done(`${configured.role} started again`, `migrations from ${join(ROOT, spec.migrations)} applied at start`);
}

/** The restore proper, as the service's user (a child of `restore`). */
export function restoreAsService(role: string | undefined, file: string | undefined): void {
  const configured = pickRole('restore', role);
  actAsServiceUser();
  const result = restoreBackup(databasePath(configured), file!, join(ROOT, functionSpec(configured.role).migrations));
  if (result.keptAside) done('the database it replaces is kept', result.keptAside);
  done(`${file} is now the ${configured.role}'s database`, result.pendingMigrations ? `${result.pendingMigrations} migration(s) at the next start` : undefined);
}
