/**
 * The host's preflight, a short child process the host runs before serving: it validates the
 * host's and the function's settings (zod) and applies the function's migrations (drizzle), then
 * hands the validated settings back as JSON on descriptor 3. The long-running host thereby never
 * loads zod, drizzle or the Node libSQL client (about 24 MB of its resident memory).
 * With `--no-migrations` it only validates. Exit 2: settings refused (each bad variable named, never its value); 1: the database could not
 * be set up.
 */
import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../functions/shared/config';
import { createLogger } from '../functions/shared/logger';
import { settingNames, settingsSchema, type DatabaseSettings } from './function-settings';
import { functionSpec } from './functions';
import { applyMigrations } from './migrations';
import { ROOT } from './project.mjs';
import { HOST_SETTINGS, type HostSettings } from './settings';
import { tlsProblems } from './tls-files';

/** What the preflight hands the host. */
export interface PreflightResult {
  host: HostSettings;
  config: DatabaseSettings;
  /** The variables the host passes into workerd. */
  settingNames: string[];
}

async function preflight(name: string, env: NodeJS.ProcessEnv, migrate: boolean): Promise<number> {
  const spec = functionSpec(name);
  const log = createLogger(env.LOG_LEVEL === 'debug' ? 'debug' : 'info', { service: `serve-${spec.name}` });
  let result: PreflightResult;
  try {
    const host = loadConfig(HOST_SETTINGS, env);
    const { DATABASE_URL, DATABASE_AUTH_TOKEN } = loadConfig(settingsSchema(spec.name), env);
    // The inspector runs any code inside workerd (every secret, any SQL) for whoever can reach its port.
    if (host.WORKERD_INSPECTOR_ADDR && env.NODE_ENV !== 'development') {
      throw new ConfigError(['WORKERD_INSPECTOR_ADDR is refused unless NODE_ENV=development (it lets any local user run code inside workerd)']);
    }
    const tls = tlsProblems(host);
    // Only the machine socket can be shared between workerd processes; a second listener would be bound twice.
    if (host.OPERATOR_PORT !== undefined && host.WORKERD_PROCESSES > 1) tls.push('OPERATOR_PORT cannot be used with WORKERD_PROCESSES > 1');
    if (tls.length) throw new ConfigError(tls);
    result = { host, config: { DATABASE_URL, DATABASE_AUTH_TOKEN }, settingNames: settingNames(spec.name) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    log.error('refusing to start', { problems: err.problems });
    return 2;
  }
  try {
    if (migrate) await applyMigrations(result.config.DATABASE_URL, result.config.DATABASE_AUTH_TOKEN, join(ROOT, spec.migrations));
  } catch (err) {
    log.error('database setup failed', { error: (err as Error).message });
    return 1;
  }
  writeSync(3, JSON.stringify(result));
  return 0;
}

preflight(process.argv[2] ?? '', process.env, !process.argv.includes('--no-migrations'))
  .then((code) => process.exit(code))
  .catch((err: Error) => {
    console.error(JSON.stringify({ ts: new Date().toISOString(), level: 'error', msg: 'preflight failed', error: err.message }));
    process.exit(1);
  });
