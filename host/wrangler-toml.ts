/**
 * What the host takes from wrangler.toml, read with a TOML parser: the compatibility date and
 * flags, so workerd under the host, Miniflare in the tests and `wrangler dev` run one set of
 * runtime semantics, stated once.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { ROOT } from './project.mjs';

export interface Compatibility {
  date: string;
  flags: string[];
}

/** compatibility_date and compatibility_flags of wrangler.toml's top-level worker. */
export function readCompatibility(path = join(ROOT, 'wrangler.toml')): Compatibility {
  const config = parse(readFileSync(path, 'utf8'));
  const date = config.compatibility_date;
  const flags = config.compatibility_flags ?? [];
  if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    throw new Error(`${path}: compatibility_date must be a "YYYY-MM-DD" string`);
  }
  if (!Array.isArray(flags) || !flags.every((flag) => typeof flag === 'string')) {
    throw new Error(`${path}: compatibility_flags must be a list of strings`);
  }
  return { date, flags: flags as string[] };
}
