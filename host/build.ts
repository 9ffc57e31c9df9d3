/**
 * Builds what the host runs: each function bundled with `wrangler deploy --dry-run` into
 * dist/<name>/index.js (skipped while it is newer than every source it could include), and the
 * host's own bundle (host/bundle.mjs).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildHostBundle } from './bundle.mjs';
import { functionSpec } from './served-functions';
import { isStale, ROOT } from './project.mjs';

/** What a function bundle may include (relative to the root). */
const FUNCTION_SOURCES = ['functions', 'db', 'wrangler.toml', 'package-lock.json'];

/** Path of the built bundle for `name`. */
export function bundlePath(name: string): string {
  return join(ROOT, 'dist', name, 'index.js');
}

function runWrangler(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/wrangler/bin/wrangler.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_LOG: 'warn', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`wrangler ${args.join(' ')} failed (exit ${code}):\n${output}`)),
    );
  });
}

/** Builds `names` (one after another: wrangler is memory-hungry), unless fresh or `force`. */
export async function buildFunctions(names: string[], force = false): Promise<void> {
  for (const name of names) {
    const spec = functionSpec(name);
    if (!force && !isStale(bundlePath(name), FUNCTION_SOURCES)) continue;
    const args = ['deploy', '--dry-run', '--outdir', join('dist', name)];
    if (spec.wranglerEnv) args.push('--env', spec.wranglerEnv);
    await runWrangler(args);
  }
}

/** `npm run build`: every function named (all by default) and the host bundle, from scratch. */
export async function buildAll(names: string[]): Promise<void> {
  await buildFunctions(names, true);
  await buildHostBundle();
}
