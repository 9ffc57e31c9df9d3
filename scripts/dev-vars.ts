/** Reads `.dev.vars` (dotenv syntax) for local runs; production takes its environment from systemd. */
import { existsSync, readFileSync } from 'node:fs';

/** Parses KEY=VALUE lines (optionally quoted; `#` comments and blank lines ignored). */
export function parseDevVars(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2]!;
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    vars[match[1]!] = value;
  }
  return vars;
}

/** The variables of `path`, or none when the file does not exist. */
export function loadDevVars(path: string): Record<string, string> {
  return existsSync(path) ? parseDevVars(readFileSync(path, 'utf8')) : {};
}
