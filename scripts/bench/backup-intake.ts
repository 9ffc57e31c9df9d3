/**
 * `npm run bench -- backup`: intake latency while the host backs up a 1 GB database, against the
 * same intakes with no backup under way. The database is the receiver's own, grown with 1 GB of
 * random pages; its first backup starts as the host starts (none exists yet), and intakes are sent
 * one after another until the host logs it taken, then as many again. Target (issue #25): p99
 * during the backup within 1.5× of p99 without.
 */
import { join } from 'node:path';
import Database from 'libsql';
import { startServe } from '../support/serve-process';
import { quantile, uniqueEvent } from './measure';

const BALLAST_MIB = 1024;
const TARGET_RATIO = 1.5;
const GAP_MS = 10;

function grow(path: string, mib: number): void {
  const db = new Database(path);
  db.exec('CREATE TABLE IF NOT EXISTS bench_ballast (b BLOB)');
  const insert = db.prepare('INSERT INTO bench_ballast VALUES (randomblob(1048576))');
  for (let done = 0; done < mib; done += 64) {
    db.transaction(() => {
      for (let i = 0; i < 64; i++) insert.run();
    })();
  }
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close();
}

async function intake(url: string, secret: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${url}/api/v1/webhooks/onboard`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-webhook-secret': secret }, body: uniqueEvent('backup') });
  await res.arrayBuffer();
  if (res.status !== 201) throw new Error(`intake answered ${res.status}`);
  return performance.now() - started;
}

export async function measureBackupIntake(dir: string, secret: string): Promise<string[]> {
  const file = join(dir, 'backup-bench.db');
  const env = { WEBHOOK_SECRET: secret, DATABASE_URL: `file:${file}`, LOG_LEVEL: 'info' };
  await (await startServe('receiver', env)).stop();
  grow(file, BALLAST_MIB);
  const receiver = await startServe('receiver', { ...env, BACKUP_DIR: join(dir, 'backup-bench-backups'), BACKUP_INTERVAL: '1d' });
  try {
    const taken = () => receiver.lines.some((line) => line.includes('"msg":"backup taken"'));
    const during: number[] = [];
    while (!taken()) {
      during.push(await intake(receiver.url, secret));
      await new Promise((r) => setTimeout(r, GAP_MS));
    }
    // The last one may have ended after the backup did; it stays, as it overlapped.
    const without: number[] = [];
    for (let i = 0; i < Math.max(during.length, 100); i++) {
      without.push(await intake(receiver.url, secret));
      await new Promise((r) => setTimeout(r, GAP_MS));
    }
    if (during.length < 20) throw new Error(`only ${during.length} intakes overlapped the backup: too few to measure`);
    const [p99During, p99Without] = [quantile(during, 0.99), quantile(without, 0.99)];
    const ratio = p99During / p99Without;
    return [
      `intake during a backup of a ${BALLAST_MIB / 1024} GB database: ${during.length} intakes, p50 ${quantile(during, 0.5).toFixed(1)} ms, p99 ${p99During.toFixed(1)} ms; without a backup: p50 ${quantile(without, 0.5).toFixed(1)} ms, p99 ${p99Without.toFixed(1)} ms`,
      `  ${ratio <= TARGET_RATIO ? 'MET ' : 'MISS'} intake p99 during a backup within ${TARGET_RATIO}× of without`.padEnd(60) + ` ${ratio.toFixed(2)}×`,
    ];
  } finally {
    await receiver.stop();
  }
}
