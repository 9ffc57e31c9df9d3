#!/usr/bin/env node
/**
 * `postinstall`: finishes an install that npm ran on an older Node than the project's own.
 *
 * The project brings its runtime (the `node` package, Node 24) and runs every script on it. The
 * toolchain packages that refuse an older Node (wrangler, miniflare, vitest-plugin,
 * @sparticuz/chromium) are therefore optionalDependencies: an npm running on the machine's Node 20
 * leaves them out without installing anything that cannot run there, and this script, which npm
 * already starts on the project's Node (node_modules/.bin comes first on a script's PATH), asks
 * npm once more on that Node, which adds them from the same lockfile. Where npm itself runs on
 * Node 24, they all arrived in the first pass and this does nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const REQUIRED_MAJOR = Number(/(\d+)/.exec(manifest.engines.node)[1]);

const major = Number(process.versions.node.split('.')[0]);
if (major !== REQUIRED_MAJOR) {
  console.error(
    `complete-install: running on Node ${process.version}, but the project's runtime is Node ${REQUIRED_MAJOR} ` +
      `(node_modules/.bin/node, from the "node" package); its install did not finish, so run \`npm ci\` again.`,
  );
  process.exit(1);
}

const missing = Object.keys(manifest.optionalDependencies ?? {}).filter(
  (name) => !existsSync(join(ROOT, 'node_modules', name, 'package.json')),
);
if (missing.length === 0) process.exit(0);

if (!process.env.npm_execpath) {
  console.error('complete-install: run through npm (`npm ci`), which names its own command in npm_execpath');
  process.exit(1);
}
console.log(`complete-install: npm ran on an older Node; adding ${missing.join(', ')} on Node ${process.version}`);
const result = spawnSync(process.execPath, [process.env.npm_execpath, 'install', '--no-save', '--no-audit', '--no-fund'], {
  cwd: ROOT,
  stdio: 'inherit',
});
const stillMissing = missing.filter((name) => !existsSync(join(ROOT, 'node_modules', name, 'package.json')));
if (result.status !== 0 || stillMissing.length > 0) {
  console.error(`complete-install: could not add ${stillMissing.join(', ') || 'the toolchain'} (npm exit ${result.status})`);
  process.exit(1);
}
