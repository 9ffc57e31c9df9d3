/**
 * The host's own bundles, dist/host.mjs (host/main.ts and what it imports),
 * dist/host-preflight.mjs (host/preflight.ts, run before it) and dist/host-backup.mjs
 * (host/backup-child.ts, the process each backup runs in), as plain JavaScript,
 * so production runs no TypeScript loader (that saves a loader thread, an esbuild child process
 * and about 100 MB per serve process). npm packages stay external and load from node_modules.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isStale, ROOT } from './project.mjs';

export const HOST_BUNDLE = join(ROOT, 'dist', 'host.mjs');
export const PREFLIGHT_BUNDLE = join(ROOT, 'dist', 'host-preflight.mjs');
export const BACKUP_BUNDLE = join(ROOT, 'dist', 'host-backup.mjs');

/** What the bundle is built from (relative to the root). */
const HOST_SOURCES = ['host', 'functions', 'package-lock.json'];

/** True when a bundle is missing or older than its sources. */
export function hostBundleStale() {
  return [HOST_BUNDLE, PREFLIGHT_BUNDLE, BACKUP_BUNDLE].some((bundle) => isStale(bundle, HOST_SOURCES));
}

/**
 * Builds both bundles into `outdir` (dist/). Each output file is written under a temporary name
 * and renamed, so serve processes starting side by side never import a half-written bundle.
 * `selfContained` (the Debian package, which ships no node_modules but the native libSQL
 * binding) bundles every package into the host too, and adds the `ops-webhook` command (cli/).
 */
export async function buildHostBundle({ outdir = dirname(HOST_BUNDLE), selfContained = false } = {}) {
  const { build, stop } = await import('esbuild');
  const common = {
    write: false,
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: selfContained ? false : 'linked',
    logLevel: 'warning',
    banner: { js: '// Generated from host/ by host/bundle.mjs; do not edit.' },
  };
  // Everything bundled in but the native libSQL binding (and the CommonJS `require` some packages use is provided).
  const allButLibsql = {
    external: ['libsql'],
    banner: { js: `${common.banner.js}\nimport { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);` },
  };
  const results = await Promise.all([
    // From source the host imports only Node, libsql and smol-toml: its packages load from node_modules.
    build({ ...common, entryPoints: { host: join(ROOT, 'host/main.ts') }, ...(selfContained ? allButLibsql : { packages: 'external' }) }),
    // The preflight runs at every start, and resolving and compiling the several hundred module
    // files of zod, drizzle and the libSQL client was most of its time: they are bundled in.
    build({ ...common, entryPoints: { 'host-preflight': join(ROOT, 'host/preflight.ts') }, ...allButLibsql }),
    // The backup child (host/backup-child.ts): only Node and libsql.
    build({ ...common, entryPoints: { 'host-backup': join(ROOT, 'host/backup-child.ts') }, ...allButLibsql }),
    ...(selfContained ? [build({ ...common, entryPoints: { cli: join(ROOT, 'cli/main.ts') }, ...allButLibsql })] : []),
  ]);
  const result = { outputFiles: results.flatMap((r) => r.outputFiles) };
  // esbuild keeps a service child process alive for further builds; a host that rebuilt at start
  // would carry it (about 18 MB) for its whole life.
  await stop();
  mkdirSync(outdir, { recursive: true });
  for (const file of result.outputFiles) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
}
