/**
 * The functions this project serves, and what the serve launcher needs to know about each:
 * its config schema, default address and database, migrations, and wrangler environment.
 */
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { RECEIVER_CONFIG } from '../../functions/shared/config';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface FunctionSpec {
  name: string;
  /** Validates the environment before workerd starts. */
  config: z.ZodType<{ DATABASE_URL: string; DATABASE_AUTH_TOKEN?: string | undefined }>;
  defaultPort: number;
  defaultDatabaseUrl: string;
  /** drizzle-kit output folder, relative to the project root. */
  migrations: string;
  /** `wrangler deploy --env` for this function (undefined: the top-level worker). */
  wranglerEnv?: string;
  /** Environment variables passed into the worker as text bindings (secrets included, never logged). */
  bindings: string[];
  /** Whether the launcher should drive the worker's scheduled sweep (see the emitter). */
  sweepEveryMs?: number;
}

export const FUNCTIONS: Record<string, FunctionSpec> = {
  receiver: {
    name: 'receiver',
    config: RECEIVER_CONFIG,
    defaultPort: 8080,
    defaultDatabaseUrl: 'file:.data/ops.db',
    migrations: 'db/receiver/migrations',
    bindings: ['WEBHOOK_SECRET', 'WEBHOOK_SECRET_PREVIOUS', 'WEBHOOK_REQUIRE_SIGNATURE', 'LOG_LEVEL'],
  },
};

/** The spec for `name`, or an error listing the known functions. */
export function functionSpec(name: string | undefined): FunctionSpec {
  const spec = name ? FUNCTIONS[name] : undefined;
  if (!spec) throw new Error(`unknown function ${JSON.stringify(name ?? '')}; expected one of: ${Object.keys(FUNCTIONS).join(', ')}`);
  return spec;
}
