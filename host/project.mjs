/**
 * Where the project lives and whether a build output is older than its sources. Plain
 * JavaScript because host/serve.mjs, the production entry, runs without a TypeScript loader;
 * the TypeScript host and the tests import it too, so both questions have one answer.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: the nearest folder above this module holding wrangler.toml (from source or from dist/). */
export const ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'wrangler.toml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the project root (no wrangler.toml above host/)');
    dir = up;
  }
  return dir;
})();

/**
 * Node flags the host runs with, wherever it is started (package.json's `serve`, the systemd
 * units, `npm start`, the tests and the benchmark; a test checks the first two and the units).
 * Small semi-spaces keep Node's young generation from growing under load (the figures are in the
 * docs/performance.md). The host warns at start when they are missing.
 */
export const HOST_NODE_ARGS = ['--max-semi-space-size=2'];

/** Newest modification time under `path` (a file or a folder, recursively); 0 when it does not exist. */
export function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, entry) => Math.max(max, newestMtime(join(path, entry))), stat.mtimeMs);
}

/**
 * Whether the root is a source tree (a checkout, with its lock file) rather than an installed
 * package (/usr/lib/ops-webhook), which carries only built output and never rebuilds it.
 */
export const FROM_SOURCE = existsSync(join(ROOT, 'package-lock.json'));

/** True when `output` is missing or older than any of `sources` (paths relative to the root); never in an installed package. */
export function isStale(output, sources) {
  if (!FROM_SOURCE) return false;
  if (!existsSync(output)) return true;
  const built = statSync(output).mtimeMs;
  return sources.some((source) => newestMtime(join(ROOT, source)) > built);
}
