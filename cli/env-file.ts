/**
 * The env files systemd reads (`EnvironmentFile=`): one `NAME='value'` a line. Values are single
 * quoted, since operator entries hold `$` and systemd takes a single-quoted value as it stands.
 * Written whole to a temporary file and renamed, so a crash never leaves half a configuration.
 */
import { chownSync, closeSync, existsSync, fchmodSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

export type EnvValues = Record<string, string>;

/** The assignments of an env file (missing file: none). Comments and blank lines are skipped. */
export function readEnvFile(path: string): EnvValues {
  if (!existsSync(path)) return {};
  const values: EnvValues = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match || line.trimStart().startsWith('#')) continue;
    let value = match[2]!;
    if (value.length >= 2 && (value[0] === "'" || value[0] === '"') && value.endsWith(value[0])) value = value.slice(1, -1);
    values[match[1]!] = value;
  }
  return values;
}

/** One line, refusing what systemd could not read back as the same value. */
function assignment(name: string, value: string): string {
  if (/['\n\r\\]/.test(value)) throw new Error(`${name}: a value with a quote, backslash or line break cannot be written to an env file`);
  return `${name}='${value}'`;
}

/**
 * Writes `values` to `path` (mode, owner root and `group`), after a header saying what wrote it.
 * Keys keep the order given; `comments` puts a line above a key.
 */
export function writeEnvFile(path: string, values: EnvValues, options: { mode: number; gid?: number; header: string; comments?: Record<string, string> }): void {
  const lines = [`# ${options.header}`, ''];
  for (const [name, value] of Object.entries(values)) {
    const comment = options.comments?.[name];
    if (comment) lines.push(`# ${comment}`);
    lines.push(assignment(name, value));
  }
  writeFileAtomic(path, `${lines.join('\n')}\n`, options.mode, options.gid);
}

/** Writes `text` to `path` through a temporary file in the same folder: mode and owner set before it is in place. */
export function writeFileAtomic(path: string, text: string, mode: number, gid?: number): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', mode);
  try {
    fchmodSync(fd, mode);
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (gid !== undefined) chownSync(temporary, 0, gid);
  renameSync(temporary, path);
}
