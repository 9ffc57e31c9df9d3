/** Backup figures for /metrics, from what the host reports of its storage (see host/backup.ts). */
import type { StorageHealth } from '../../../db/connection';
import type { MetricFamily } from './exposition';

/** `ops_webhook_last_backup_age_seconds`, `ops_webhook_backup_failures_total` and `ops_webhook_backups_skipped_total`, when backups are configured. */
export function backupFamilies(storage: StorageHealth | undefined): MetricFamily[] {
  const backup = storage?.backup;
  if (!backup) return [];
  const families: MetricFamily[] = [
    {
      name: 'ops_webhook_backup_failures_total',
      help: 'Backups that failed since the host started.',
      type: 'counter',
      samples: [{ name: 'ops_webhook_backup_failures_total', value: backup.failures }],
    },
    {
      name: 'ops_webhook_backups_skipped_total',
      help: 'Backups not started since the host started, because the disk would have been too full.',
      type: 'counter',
      samples: [{ name: 'ops_webhook_backups_skipped_total', value: backup.skipped }],
    },
  ];
  if (backup.last_good_age_s !== null) {
    families.unshift({
      name: 'ops_webhook_last_backup_age_seconds',
      help: 'Age of the newest good backup in BACKUP_DIR.',
      type: 'gauge',
      samples: [{ name: 'ops_webhook_last_backup_age_seconds', value: backup.last_good_age_s }],
    });
  }
  return families;
}
