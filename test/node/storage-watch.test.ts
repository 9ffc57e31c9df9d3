/** The host's watch on the file it serves (host/storage.ts): no acknowledged write into a replaced or deleted file. */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StorageWatch } from '../../host/storage';

describe('the storage watch', () => {
  it('refuses writes the moment the file is replaced (a restore by hand) or deleted, with no window', () => {
    const dir = mkdtempSync(join(tmpdir(), 'storage-watch-'));
    const path = join(dir, 'ops.db');
    writeFileSync(path, 'served');
    const watch = new StorageWatch(path, 0);
    expect(watch.refusal()).toBeUndefined();
    expect(watch.status().file).toBe('ok');
    writeFileSync(join(dir, 'backup.db'), 'restored');
    renameSync(join(dir, 'backup.db'), path);
    expect(watch.refusal()).toMatch(/the database file is replaced at .*ops\.db; restart the service/);
    rmSync(path);
    expect(watch.refusal()).toMatch(/is missing/);
    rmSync(dir, { recursive: true, force: true });
  });
});
