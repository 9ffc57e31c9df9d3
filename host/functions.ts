/**
 * The functions the host serves and what it needs to know about each: default port, migrations,
 * wrangler environment, operator pages, sweeps, and start-up duties. Their settings schemas are
 * in function-settings.ts (zod, loaded only by the preflight and the developer scripts).
 */
import type { SqliteDb } from './sqlite';

export interface FunctionSpec {
  name: string;
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
    defaultPort: 8080,
    migrations: 'db/receiver/migrations',
    operatorPages: '/desk',
    // Retention only: once a minute is plenty.
    sweep: { everyMs: 60_000 },
  },
  emitter: {
    name: 'emitter',
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
