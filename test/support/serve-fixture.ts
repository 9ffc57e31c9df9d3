/**
 * Black-box test fixture: a temporary folder for databases, serve processes started through
 * `startServe` and killed after each test, and SQLite reads of the files they wrote.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startServe, type ServeProcess } from '../../scripts/support/serve-process';
import { queryFile } from '../../scripts/support/sqlite-read';

export interface ServeFixture {
  /** Path of `name` in the fixture's temporary folder. */
  file(name: string): string;
  /** Starts a serve process (LOG_LEVEL warn unless given) that is killed after the test. */
  serve(name: 'receiver' | 'emitter', env: Record<string, string>): Promise<ServeProcess>;
  /** Reads from a database file of the fixture's folder. */
  query<T>(name: string, sql: string): T[];
}

/** Registers the hooks and returns the fixture; call once at the top of a test file. */
export function serveFixture(prefix: string): ServeFixture {
  let dir = '';
  const running: ServeProcess[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), `ops-webhook-${prefix}-`));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.kill9()));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    file: (name) => join(dir, name),
    async serve(name, env) {
      const proc = await startServe(name, { LOG_LEVEL: 'warn', ...env });
      running.push(proc);
      return proc;
    },
    query: (name, sql) => queryFile(join(dir, name), sql),
  };
}
