#!/usr/bin/env node
/**
 * Entry point of `npm run serve -- <receiver|emitter>` and of the systemd units.
 *
 * Runs the launcher (scripts/serve.ts and scripts/serve/) as one plain-JavaScript bundle,
 * dist/launcher.mjs, so that production runs no TypeScript loader: that saves a loader thread,
 * an esbuild child process and about 100 MB of memory per serve process. The bundle is rebuilt
 * here when it is missing or older than its sources (`npm run build` also builds it).
 */
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE = join(ROOT, 'dist', 'launcher.mjs');
const SOURCES = ['scripts/serve.ts', 'scripts/serve', 'functions/shared', 'package-lock.json'];

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, entry) => Math.max(max, newest(join(path, entry))), stat.mtimeMs);
}

/**
 * Bundles the launcher (npm packages stay external and load from node_modules). Each file is
 * written under a temporary name and renamed, so serve processes starting side by side never
 * import a half-written bundle.
 */
async function buildLauncher() {
  const { build } = await import('esbuild');
  const result = await build({
    write: false,
    entryPoints: [join(ROOT, 'scripts/serve.ts')],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
    banner: { js: '// Generated from scripts/serve.ts by scripts/serve.mjs; do not edit.' },
  });
  mkdirSync(dirname(BUNDLE), { recursive: true });
  for (const file of result.outputFiles) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
}

const stale = !existsSync(BUNDLE) || SOURCES.some((s) => newest(join(ROOT, s)) > statSync(BUNDLE).mtimeMs);
if (process.argv[2] === '--build') {
  await buildLauncher();
} else {
  if (stale) await buildLauncher();
  await import(pathToFileURL(BUNDLE).href);
}
