/**
 * The functions this project serves, and what the serve launcher needs to know about each:
 * its config schema, default address and database, migrations, and wrangler environment.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { EMITTER_CONFIG, RECEIVER_CONFIG } from '../../functions/shared/config';
import type { SqliteDb } from './sqlite';

/** The project root: the nearest folder above this module with a wrangler.toml (works from source and from dist/). */
export const ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'wrangler.toml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the project root (no wrangler.toml above the launcher)');
    dir = up;
  }
  return dir;
})();

export interface FunctionSpec {
  name: string;
  /** Validates the environment before workerd starts. */
  config: z.ZodType<{ DATABASE_URL: string; DATABASE_AUTH_TOKEN?: string | undefined }>;
  defaultPort: number;
  /** drizzle-kit output folder, relative to the project root. */
  migrations: string;
  /** `wrangler deploy --env` for this function (undefined: the top-level worker). */
  wranglerEnv?: string;
  /** Environment variables passed into the worker as text bindings (secrets included, never logged). */
  bindings: string[];
  /** Whether the launcher drives the worker's outbox sweep (POST /__internal/sweep) and gives it outbound network. */
  sweeps?: boolean;
  /** Variables that must be set when HOST is not a loopback address. */
  requiredBeyondLoopback?: string[];
  /** Runs on the SQLite file before workerd starts (embedded mode only). */
  beforeStart?: (db: SqliteDb) => void;
}

export const FUNCTIONS: Record<string, FunctionSpec> = {
  receiver: {
    name: 'receiver',
    config: RECEIVER_CONFIG,
    defaultPort: 8080,
    migrations: 'db/receiver/migrations',
    bindings: ['WEBHOOK_SECRET', 'WEBHOOK_SECRET_PREVIOUS', 'WEBHOOK_REQUIRE_SIGNATURE', 'LOG_LEVEL'],
  },
  emitter: {
    name: 'emitter',
    config: EMITTER_CONFIG,
    defaultPort: 8787,
    migrations: 'db/emitter/migrations',
    wranglerEnv: 'emitter',
    bindings: [
      'OPS_WEBHOOK_URL',
      'OPS_WEBHOOK_SECRET',
      'OPS_WEBHOOK_ENABLED',
      'OPS_WEBHOOK_TIMEOUT_MS',
      'OPS_WEBHOOK_RETRY_SCHEDULE',
      'DELIVERY_CONCURRENCY',
      'PROBE_INTERVAL_MS',
      'EMITTER_API_TOKEN',
      'LOG_LEVEL',
    ],
    sweeps: true,
    requiredBeyondLoopback: ['EMITTER_API_TOKEN'],
    // Leases held by a process that died are void: nothing else delivers while workerd is down.
    beforeStart: (db) => db.exec('UPDATE outbox_messages SET lease_until = NULL WHERE lease_until IS NOT NULL'),
  },
};

/** The spec for `name`, or an error listing the known functions. */
export function functionSpec(name: string | undefined): FunctionSpec {
  const spec = name ? FUNCTIONS[name] : undefined;
  if (!spec) throw new Error(`unknown function ${JSON.stringify(name ?? '')}; expected one of: ${Object.keys(FUNCTIONS).join(', ')}`);
  return spec;
}
