/**
 * `npm run backup -- receiver|emitter`: takes one online backup now, with the same settings the
 * service uses (DATABASE_URL, BACKUP_DIR, BACKUP_KEEP from the environment), whether the service
 * is running or not. On the VMs: `set -a; . /etc/ops-webhook/receiver.env; npm run backup -- receiver`.
 */
import { loadConfig } from '../functions/platform/settings/config';
import { takeBackup } from '../host/backup';
import { settingsSchema } from '../host/function-config-schemas';
import { functionSpec } from '../host/served-functions';
import { HOST_SETTINGS } from '../host/host-settings';
import { filePathOf } from '../host/sqlite';

function fail(message: string): never {
  console.error(`backup: ${message}`);
  process.exit(2);
}

try {
  const spec = functionSpec(process.argv[2]);
  const host = loadConfig(HOST_SETTINGS, process.env);
  const { DATABASE_URL } = loadConfig(settingsSchema(spec.name), process.env);
  if (!DATABASE_URL.startsWith('file:')) fail('DATABASE_URL names a libSQL server: its backups are the server\'s business');
  if (!host.BACKUP_DIR) fail('BACKUP_DIR is not set');
  const path = takeBackup(filePathOf(DATABASE_URL), spec.name, { dir: host.BACKUP_DIR, keep: host.BACKUP_KEEP, minFreeBytes: host.MIN_FREE_DISK_MB * 1048576 });
  console.log(`backup: wrote ${path} (integrity_check ok)`);
} catch (err) {
  fail((err as Error).message);
}
