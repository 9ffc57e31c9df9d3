/**
 * The functions the host serves and what it needs to know about each: its settings schema
 * (from the function's own config.ts: the bindings passed to workerd are derived from it),
 * default port, migrations, wrangler environment, and start-up duties.
 */
import type { z } from 'zod';
import { EMITTER_CONFIG } from '../functions/emitter/config';
import { RECEIVER_CONFIG } from '../functions/receiver/config';
import type { SqliteDb } from './sqlite';

/** The settings every function has: where its database is. */
type DatabaseSettings = { DATABASE_URL: string; DATABASE_AUTH_TOKEN?: string | undefined };

export interface FunctionSpec {
  name: string;
  /** The function's settings schema: validated before workerd starts, and the list of variables passed through. */
  config: z.ZodObject & z.ZodType<DatabaseSettings>;
  defaultPort: number;
  /** drizzle-kit output folder, relative to the project root. */
  migrations: string;
  /** `wrangler deploy --env` for this function (undefined: the top-level worker). */
  wranglerEnv?: string;
  /** The host drives the worker's POST /__internal/sweep: every `everyMs` (default SWEEP_INTERVAL_MS) when idle. */
  sweep?: { everyMs?: number };
  /** Whether the worker may reach the network (the emitter delivers to Ops). */
  outbound?: boolean;
  /** Variables that must be set when HOST is not a loopback address. */
  requiredBeyondLoopback?: string[];
  /** Where the function's operator pages live (they answer 404 until OPERATOR_USERS is set). */
  operatorPages: '/desk' | '/console';
  /** Runs on the SQLite file before workerd starts (embedded mode only). */
  beforeStart?: (db: SqliteDb) => void;
}

export const FUNCTIONS: Record<string, FunctionSpec> = {
  receiver: {
    name: 'receiver',
    config: RECEIVER_CONFIG,
    defaultPort: 8080,
    migrations: 'db/receiver/migrations',
    operatorPages: '/desk',
    // Retention only: once a minute is plenty.
    sweep: { everyMs: 60_000 },
  },
  emitter: {
    name: 'emitter',
    config: EMITTER_CONFIG,
    defaultPort: 8787,
    migrations: 'db/emitter/migrations',
    operatorPages: '/console',
    wranglerEnv: 'emitter',
    sweep: {},
    outbound: true,
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

/** The names of a function's settings: the variables the host passes into workerd. */
export function settingNames(spec: FunctionSpec): string[] {
  return Object.keys(spec.config.shape);
}
