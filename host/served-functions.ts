/**
 * The functions the host serves and what it needs to know about each: default port, migrations,
 * wrangler environment, operator pages, sweeps, and start-up duties. Their settings schemas are
 * in function-config-schemas.ts (zod, loaded only by the preflight and the developer scripts).
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
  /** The settings that turn on the notification relay (host/notify-relay.ts), the worker's NOTIFY binding. */
  notifyRelay?: string[];
  /** The setting holding the bearer token of the function's API; made and kept beside a `file:` database when unset (host/api-token-file.ts). */
  apiToken?: string;
  /** Parts that stay off until a setting is given, named in the start-up log with how to turn them on. */
  offUntilSet?: { setting: string; what: string; how: string }[];
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
    notifyRelay: ['NOTIFY_SMTP_URL', 'NOTIFY_WEBHOOK_URL'],
    offUntilSet: [
      { setting: 'TICKETS_API_TOKEN', what: 'the tickets read API (/api/v1/tickets)', how: 'a token of at least 32 characters (openssl rand -base64 32)' },
      { setting: 'NOTIFY_SMTP_URL', what: 'notification mail', how: 'smtp://user:password@mail-host:587 (with NOTIFY_EMAIL_FROM, NOTIFY_EMAIL_TO and PUBLIC_ORIGIN)' },
    ],
    // Every SWEEP_INTERVAL_MS (1 s), like the emitter's: notifications retry within seconds.
    sweep: {},
    // Leases held by a process that died are void: a notification it was sending goes at once, not a minute later.
    beforeStart: (db) => db.exec('UPDATE notifications SET lease_until = NULL WHERE lease_until IS NOT NULL'),
  },
  emitter: {
    name: 'emitter',
    defaultPort: 8787,
    migrations: 'db/emitter/migrations',
    operatorPages: '/console',
    wranglerEnv: 'emitter',
    sweep: {},
    outbound: true,
    apiToken: 'EMITTER_API_TOKEN',
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
