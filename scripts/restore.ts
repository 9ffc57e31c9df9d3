/**
 * `npm run restore -- receiver|emitter FILE`: puts a backup in place of the function's database
 * (DATABASE_URL from the environment). Refuses while the service runs, or for a file that is not
 * intact or comes from a newer version; keeps the current file aside. Start the service after:
 * an older backup is migrated forward then.
 */
import { join } from 'node:path';
import { loadConfig } from '../functions/platform/settings/config';
import { settingsSchema } from '../host/function-config-schemas';
import { functionSpec } from '../host/served-functions';
import { ROOT } from '../host/project.mjs';
import { restoreBackup } from '../host/restore';
import { filePathOf } from '../host/sqlite';

const [name, file] = process.argv.slice(2);
try {
  if (!file) throw new Error('usage: npm run restore -- receiver|emitter FILE');
  const spec = functionSpec(name);
  const { DATABASE_URL } = loadConfig(settingsSchema(spec.name), process.env);
  if (!DATABASE_URL.startsWith('file:')) throw new Error("DATABASE_URL names a libSQL server: restore it with the server's own tools");
  const target = filePathOf(DATABASE_URL);
  const result = restoreBackup(target, file, join(ROOT, spec.migrations));
  if (result.keptAside) console.log(`restore: the previous database is kept at ${result.keptAside}`);
  console.log(`restore: ${file} is now ${target}${result.pendingMigrations ? `; ${result.pendingMigrations} migration(s) will be applied at the next start` : ''}`);
} catch (err) {
  console.error(`restore: ${(err as Error).message}`);
  process.exit(2);
}
