/**
 * The emitter's API credential when none is configured: made at its first start, kept beside its
 * database in a file only the service's user can read (0600), and read back at every later
 * start, so /v1/* always requires a token and the portal (or scripts/emit.sh) reads it from
 * there. Its value is never logged; where it lives is.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { filePathOf } from './sqlite';

const TOKEN_BYTES = 32;
const MIN_TOKEN_LENGTH = 32;

/** Where the token of the database at `databaseUrl` lives: `<folder>/<name>.api-token`. */
export function apiTokenPath(databaseUrl: string): string {
  const path = filePathOf(databaseUrl);
  return join(dirname(path), `${basename(path).replace(/\.db$/, '')}.api-token`);
}

/** The stored token (made now if there is none) and whether it was made now; throws with a message naming the file on a bad one. */
export function ensureApiToken(databaseUrl: string): { token: string; path: string; created: boolean } {
  const path = apiTokenPath(databaseUrl);
  try {
    const fd = openSync(path, 'wx', 0o600);
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    try {
      writeSync(fd, `${token}\n`);
    } finally {
      closeSync(fd);
    }
    return { token, path, created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot create the API token file ${path}: ${(err as Error).message}`);
  }
  // An ACL shows here as group bits (its mask): the file stays the service's alone, and the portal gets its own copy.
  if ((statSync(path).mode & 0o077) !== 0) {
    throw new Error(
      `the API token file ${path} may be read by others (group or other bits, or an ACL): chmod 600 it and remove any ACL (setfacl -b); ` +
        'give the portal the token through EMITTER_API_TOKEN in its own environment, or the group-readable copy that ops-webhook setup emitter makes (docs/deploy.md)',
    );
  }
  const token = readFileSync(path, 'utf8').trim();
  if (token.length < MIN_TOKEN_LENGTH) throw new Error(`the API token file ${path} holds no token of at least ${MIN_TOKEN_LENGTH} characters (delete it for a new one)`);
  return { token, path, created: false };
}

/**
 * The API token a function runs with: the configured one, else the stored (or new) one beside a
 * `file:` database. A remote database has no folder to keep one in, so the setting is then required.
 */
export function resolveApiToken(setting: string, databaseUrl: string, env: NodeJS.ProcessEnv): { token: string; path?: string; created: boolean } {
  const configured = env[setting];
  if (configured) return { token: configured, created: false };
  if (!databaseUrl.startsWith('file:')) throw new Error(`${setting} must be set when DATABASE_URL is a libSQL server (there is no local folder to keep a generated one in)`);
  return ensureApiToken(databaseUrl);
}
