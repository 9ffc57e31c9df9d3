/**
 * Bundles each function with `wrangler deploy --dry-run` into dist/<name>/index.js, skipping a
 * function whose bundle is newer than every source file it could include.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { functionSpec, ROOT } from './functions';

const SOURCES = ['functions', 'db', 'wrangler.toml', 'package-lock.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Path of the built bundle for `name`. */
export function bundlePath(name: string): string {
  return join(ROOT, 'dist', name, 'index.js');
}

function isFresh(name: string): boolean {
  const bundle = bundlePath(name);
  if (!existsSync(bundle)) return false;
  const built = statSync(bundle).mtimeMs;
  return SOURCES.every((s) => newestMtime(join(ROOT, s)) <= built);
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

/** Builds `names` (sequentially: wrangler is memory-hungry), unless fresh or `force`. */
export async function buildFunctions(names: string[], force = false): Promise<void> {
  for (const name of names) {
    const spec = functionSpec(name);
    if (!force && isFresh(name)) continue;
    const args = ['deploy', '--dry-run', '--outdir', join('dist', name)];
    if (spec.wranglerEnv) args.push('--env', spec.wranglerEnv);
    await runWrangler(args);
  }
}
