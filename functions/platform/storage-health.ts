/**
 * The storage part of both functions' /healthz: a database that answers reads may still be
 * unable to keep writes (its file deleted or replaced, its disk nearly full). The host knows;
 * this asks it and says whether that is a reason to answer 503.
 */
import { z } from 'zod';
import { readStorageHealth, type DatabaseBindings } from '../../db/connection';
import { STORAGE_HEALTH } from '../../db/storage-report';
import { apiError } from './http/http-errors';
import type { Env } from 'hono';
import type { ApiRoute } from './openapi/api-routes';
import { errorResponses, json } from './openapi/document';

/** The storage part of /healthz, as documented. */
export const STORAGE_REPORT = z.union([
  STORAGE_HEALTH,
  z.literal('remote').describe('A libSQL server keeps the data; its storage is its own.'),
  z.literal('not_reported'),
]);

export type StorageReport = z.infer<typeof STORAGE_REPORT>;

/** The storage report, and the problem that makes the service unhealthy, if any. */
export async function storageHealth(env: DatabaseBindings): Promise<{ storage: StorageReport; problem?: string }> {
  if (!(env.DATABASE_URL ?? 'file:').startsWith('file:')) return { storage: 'remote' };
  const storage = await readStorageHealth(env);
  if (storage === undefined) return { storage: 'not_reported' };
  if (storage.file !== 'ok') return { storage, problem: `the database file is ${storage.file}; writes are refused until a restart` };
  if (!storage.ok) return { storage, problem: `free disk space is below ${storage.min_free_bytes} bytes` };
  return { storage };
}

/** Throws the 503 for storage that cannot take writes, with what the host reported. */
export function assertStorageWritable(report: { storage: StorageReport; problem?: string }): void {
  if (report.problem) throw apiError(503, 'storage_unavailable', report.problem, { details: { storage: report.storage } });
}

/** Throws the 503 for an unhealthy database: the storage's problem when the host reports one (say, the file is gone), else the round trip's. */
async function databaseUnavailable(env: DatabaseBindings): Promise<never> {
  assertStorageWritable(await storageHealth(env).catch(() => ({ storage: 'not_reported' as const })));
  throw apiError(503, 'database_unavailable', 'database round trip failed');
}

/**
 * The steps of both functions' /healthz: the database round trip `probe` (503 when it fails),
 * then the storage under the database (503 when it cannot take writes). Answers what the probe
 * read and the storage report.
 */
export async function checkHealth<T>(
  env: DatabaseBindings,
  logger: { warn(message: string, fields?: Record<string, unknown>): void },
  probe: () => Promise<T>,
): Promise<{ read: T; storage: StorageReport }> {
  let read: T;
  try {
    read = await probe();
  } catch (err) {
    logger.warn('health check failed', { error: (err as Error).message });
    return databaseUnavailable(env);
  }
  const report = await storageHealth(env);
  assertStorageWritable(report);
  return { read, storage: report.storage };
}

/** The declaration of a function's GET /healthz, whose 200 answer is `answer`. */
export function healthzRoute<E extends Env>(summary: string, answer: z.ZodType): ApiRoute<E> {
  return { method: 'get', path: '/healthz', summary, tags: ['operations'], responses: { 200: json('Healthy.', answer), ...errorResponses(503) } };
}
