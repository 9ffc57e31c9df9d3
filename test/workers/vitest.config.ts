/**
 * Unit and route tests that run inside workerd through @cloudflare/vitest-plugin. The
 * worker's `LIBSQL` binding is a Node function in this process: the same libSQL endpoint the
 * host runs, over a fresh temporary SQLite file with the migrations applied.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { hranaFetchHandler } from '../../host/hrana/http';
import { HranaEndpoint } from '../../host/hrana/endpoint';
import { applyMigrations } from '../../host/migrations';
import { readCompatibility } from '../../host/wrangler-toml';
import { openSqlite } from '../../host/sqlite';
import { createFakeOps } from '../support/fake-ops';
import { createFakeRelay } from '../support/fake-relay';
import { TEST_BINDINGS } from '../support/test-env';

const ROOT = new URL('../..', import.meta.url).pathname;

/** A fresh temporary database with one function's migrations, served as a fetch handler. */
async function testDatabase(name: 'receiver' | 'emitter'): Promise<(request: Request) => Promise<Response>> {
  const file = join(mkdtempSync(join(tmpdir(), 'ops-webhook-workers-')), `${name}.db`);
  await applyMigrations(`file:${file}`, undefined, join(ROOT, `db/${name}/migrations`));
  return hranaFetchHandler(new HranaEndpoint(openSqlite(file, 'NORMAL')));
}

export default defineConfig({
  plugins: [
    cloudflareTest(async () => ({
      miniflare: {
        // The same runtime semantics as production and `wrangler dev`: wrangler.toml's.
        compatibilityDate: readCompatibility().date,
        compatibilityFlags: readCompatibility().flags,
        bindings: { ...TEST_BINDINGS },
        serviceBindings: {
          LIBSQL: (await testDatabase('receiver')) as never,
          EMITTER_LIBSQL: (await testDatabase('emitter')) as never,
          // Retention deletes what other tests may still read: its tests get databases of their own.
          RECEIVER_RETENTION_LIBSQL: (await testDatabase('receiver')) as never,
          EMITTER_RETENTION_LIBSQL: (await testDatabase('emitter')) as never,
          // Reconciliation asks about every delivered message of its database: its tests get one of their own.
          EMITTER_RECONCILE_LIBSQL: (await testDatabase('emitter')) as never,
          // Throttled sign-ins lock an address for 15 minutes: that test gets its own database too.
          RECEIVER_THROTTLE_LIBSQL: (await testDatabase('receiver')) as never,
          OPS: createFakeOps().handle as never,
          // The host's notification relay, scripted per ticket; its tests get a database of their own.
          NOTIFY: createFakeRelay().handle as never,
          RECEIVER_NOTIFY_LIBSQL: (await testDatabase('receiver')) as never,
        },
      },
    })),
  ],
  test: {
    name: 'workers',
    root: ROOT,
    include: ['test/workers/**/*.test.ts'],
  },
});
