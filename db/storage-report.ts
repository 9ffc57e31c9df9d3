/**
 * What the host reports of the storage under a `file:` database (its `/health`, which both
 * functions' /healthz and /metrics show): stated once as a schema, which the OpenAPI documents
 * publish, with the types of the host's and the workers' code inferred from it.
 */
import { z } from 'zod';

export const BACKUP_STATUS = z.object({
  last_good_at: z.string().nullable(),
  last_good_age_s: z.number().nullable(),
  failures: z.number().int().describe('Failed backups since the host started'),
  skipped: z.number().int().describe('Backups not started since the host started, for want of disk space (MIN_FREE_DISK_MB plus the database)'),
  last_failure_at: z.string().nullable().describe('When the last backup failed, until one succeeds again (the reason is in the log)'),
});

export const STORAGE_STATUS = z.object({
  file: z.enum(['ok', 'missing', 'replaced']).describe('ok; missing: nothing at the path; replaced: another file is there now'),
  free_bytes: z.number(),
  min_free_bytes: z.number(),
  ok: z.boolean().describe('The file is in place and free space is above the minimum'),
});

/** The host's report: the storage, and its backups (null when BACKUP_DIR is not set). */
export const STORAGE_HEALTH = STORAGE_STATUS.extend({
  backup: BACKUP_STATUS.nullable().optional().describe('null when BACKUP_DIR is not set'),
});

export type BackupStatus = z.infer<typeof BACKUP_STATUS>;
export type StorageStatus = z.infer<typeof STORAGE_STATUS>;
export type StorageHealth = z.infer<typeof STORAGE_HEALTH>;
