/**
 * The backup child process the host runs (dist/host-backup.mjs): one backup with the settings
 * on its command line (JSON), reported as one JSON line on standard output. A child, because
 * `VACUUM INTO` and the integrity check are synchronous and would hold the host's event loop,
 * which serves the database to workerd, for as long as they run.
 */
import { BackupSkipped, takeBackup } from './backup';

interface Job {
  source: string;
  fn: string;
  dir: string;
  keep: number;
  minFreeBytes: number;
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
try {
  const path = takeBackup(job.source, job.fn, job);
  process.stdout.write(`${JSON.stringify({ outcome: 'taken', path })}\n`);
} catch (err) {
  const outcome = err instanceof BackupSkipped ? 'skipped' : 'failed';
  process.stdout.write(`${JSON.stringify({ outcome, error: (err as Error).message })}\n`);
}
