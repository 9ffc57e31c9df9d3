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
import { ConfigError } from '../functions/host-contract/settings';
import { createLogger } from '../functions/host-contract/logger';
import { functionSpec } from './served-functions';
import { applyMigrations } from './migrations';
import { ROOT } from './project.mjs';
import { checkSettings, type CheckedSettings } from './settings-check';

/** What the preflight hands the host. */
export type PreflightResult = CheckedSettings;

async function preflight(name: string, env: NodeJS.ProcessEnv, migrate: boolean): Promise<number> {
  const spec = functionSpec(name);
  const log = createLogger(env.LOG_LEVEL === 'debug' ? 'debug' : 'info', { service: `serve-${spec.name}` });
  let result: PreflightResult;
  try {
    result = checkSettings(spec, env);
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
