/**
 * `npm run package`: builds dist/ops-webhook_<version>_amd64.deb with Debian's dpkg-deb. The
 * package carries its own runtime (the project's Node 24, workerd, the libSQL native binding),
 * the built host, worker and command bundles, the migrations, the units, the maintainer scripts,
 * the portal's module and the docs, so a stock Debian 12 or Ubuntu 24.04 needs nothing else and no
 * network. The version is package.json's unless PACKAGE_VERSION is set. Every file's time is the
 * last commit's (SOURCE_DATE_EPOCH), so two builds of one commit list the same files.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ASSET_FILES } from '../functions/platform/http/assets';
import { buildFunctions } from '../host/build';
import { buildHostBundle } from '../host/bundle.mjs';
import { ROOT } from '../host/project.mjs';

const PACKAGE = 'ops-webhook';
const ARCH = 'amd64';
const LIB = '/usr/lib/ops-webhook';
const MAINTAINER = 'ops-webhook maintainers <ops-webhook@example.com>';

/** npm packages the installed program loads at run time: the native libSQL binding and the workerd binary, with what resolves them. */
const RUNTIME_PACKAGES: { name: string; files: string[] }[] = [
  { name: 'libsql', files: ['package.json', 'index.js', 'auth.js', 'sqlite-error.js', 'promise.js', 'LICENSE'] },
  { name: '@libsql/linux-x64-gnu', files: ['package.json', 'index.node'] },
  { name: '@neon-rs/load', files: ['package.json', 'dist', 'LICENSE'] },
  { name: 'detect-libc', files: ['package.json', 'lib', 'LICENSE'] },
  { name: 'workerd', files: ['package.json', 'lib/main.js', 'LICENSE'] },
  { name: '@cloudflare/workerd-linux-64', files: ['package.json', 'bin/workerd'] },
];

/** Native binaries, stripped of their symbols (about a third of their size) and then run once to prove they still work. */
const BINARIES: { path: string; check: string[] }[] = [
  { path: 'bin/node', check: ['--version'] },
  { path: 'node_modules/@cloudflare/workerd-linux-64/bin/workerd', check: ['--version'] },
  { path: 'node_modules/@libsql/linux-x64-gnu/index.node', check: [] },
];

function sh(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

function step(line: string): void {
  process.stdout.write(`package: ${line}\n`);
}

function copyInto(stage: string, from: string, to: string, mode?: number): void {
  const target = join(stage, to);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(from, target, { recursive: true, dereference: true });
  if (mode !== undefined) chmodSync(target, mode);
}

/** Every file and folder below `dir`, deepest first. */
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? [...walk(path), path] : [path];
  });
}

function gzipText(text: string): Buffer {
  // No name and no time in the gzip header (-n), for a reproducible file.
  return gzipSync(Buffer.from(text), { level: 9 });
}

function version(): string {
  const value = process.env.PACKAGE_VERSION ?? (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  if (!/^[0-9][A-Za-z0-9.+~-]*$/.test(value)) throw new Error(`PACKAGE_VERSION ${JSON.stringify(value)} is not a Debian version (digits first, then letters, digits and . + ~ -)`);
  return value;
}

function sourceDate(): number {
  if (process.env.SOURCE_DATE_EPOCH) return Number(process.env.SOURCE_DATE_EPOCH);
  try {
    return Number(sh('git', ['log', '-1', '--format=%ct'], { cwd: ROOT }).trim());
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const ver = version();
  const epoch = sourceDate();
  const stage = join(ROOT, 'dist/deb', `${PACKAGE}_${ver}_${ARCH}`);
  const lib = join(stage, LIB.slice(1));
  rmSync(stage, { recursive: true, force: true });

  await buildFunctions(['receiver', 'emitter']);
  await buildHostBundle({ outdir: join(lib, 'dist'), selfContained: true });
  step('built the worker bundles (wrangler) and the host, preflight and command bundles (esbuild)');

  for (const name of ['receiver', 'emitter']) copyInto(stage, join(ROOT, 'dist', name, 'index.js'), join(LIB, 'dist', name, 'index.js'));
  copyInto(stage, join(ROOT, 'wrangler.toml'), join(LIB, 'wrangler.toml'));
  for (const file of ['serve.mjs', 'bundle.mjs', 'project.mjs']) copyInto(stage, join(ROOT, 'host', file), join(LIB, 'host', file));
  for (const name of ['receiver', 'emitter']) copyInto(stage, join(ROOT, 'db', name, 'migrations'), join(LIB, 'db', name, 'migrations'));
  writeFileSync(join(lib, 'package.json'), `${JSON.stringify({ name: PACKAGE, version: ver, private: true, type: 'module' }, null, 2)}\n`);
  copyInto(stage, join(ROOT, 'node_modules/node/bin/node'), join(LIB, 'bin/node'), 0o755);
  for (const pkg of RUNTIME_PACKAGES) {
    for (const file of pkg.files) {
      const from = join(ROOT, 'node_modules', pkg.name, file);
      if (existsSync(from)) copyInto(stage, from, join(LIB, 'node_modules', pkg.name, file));
    }
  }
  for (const asset of Object.values(ASSET_FILES)) copyInto(stage, join(ROOT, 'node_modules', asset.path), join(LIB, 'node_modules', asset.path));
  // Run as `node serve.mjs` and loaded with require(): their `#!/usr/bin/env node` lines would ask for Debian's nodejs.
  for (const script of ['host/serve.mjs', 'node_modules/workerd/lib/main.js']) {
    const path = join(lib, script);
    writeFileSync(path, readFileSync(path, 'utf8').replace(/^#!.*\n/, ''));
    chmodSync(path, 0o644);
  }
  step('copied Node, workerd, the libSQL binding, the migrations and the page assets');

  for (const binary of BINARIES) {
    const path = join(lib, binary.path);
    sh('strip', ['--strip-unneeded', path]);
    if (binary.check.length) sh(path, binary.check);
  }
  // The stripped binding still loads and answers a query.
  sh(join(lib, 'bin/node'), ['-e', "const D=require(process.argv[1]);const db=new D(':memory:');if(db.prepare('select 1 as x').get().x!==1)process.exit(1)", join(lib, 'node_modules/libsql')]);
  step('stripped the binaries and ran each once');

  mkdirSync(join(stage, 'usr/bin'), { recursive: true });
  writeFileSync(join(stage, 'usr/bin/ops-webhook'), `#!/bin/sh\n# ops-webhook: the administrator's command, on the package's own Node.\nexec ${LIB}/bin/node ${LIB}/dist/cli.mjs "$@"\n`, { mode: 0o755 });
  for (const unit of readdirSync(join(ROOT, 'deploy/systemd'))) copyInto(stage, join(ROOT, 'deploy/systemd', unit), join('/lib/systemd/system', unit), 0o644);
  for (const file of readdirSync(join(ROOT, 'deploy/portal')).filter((f) => f.endsWith('.py'))) copyInto(stage, join(ROOT, 'deploy/portal', file), join('/usr/share/ops-webhook/portal', file), 0o644);
  copyInto(stage, join(ROOT, 'deploy/prometheus/alerts.yml'), '/usr/share/ops-webhook/prometheus/alerts.yml', 0o644);
  copyInto(stage, join(ROOT, 'deploy/debian/lintian-overrides'), `/usr/share/lintian/overrides/${PACKAGE}`, 0o644);

  const doc = join(stage, 'usr/share/doc', PACKAGE);
  mkdirSync(doc, { recursive: true });
  copyFileSync(join(ROOT, 'deploy/debian/copyright'), join(doc, 'copyright'));
  const date = new Date(epoch * 1000).toUTCString().replace('GMT', '+0000');
  writeFileSync(join(doc, 'changelog.gz'), gzipText(`${PACKAGE} (${ver}) stable; urgency=medium\n\n  * Built from the ops-webhook repository; its git log is the full history.\n\n -- ${MAINTAINER}  ${date}\n`));
  for (const file of readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md'))) writeFileSync(join(doc, `${file}.gz`), gzipText(readFileSync(join(ROOT, 'docs', file), 'utf8')));
  writeFileSync(join(doc, 'README.md.gz'), gzipText(readFileSync(join(ROOT, 'README.md'), 'utf8')));
  const man = join(stage, 'usr/share/man/man8');
  mkdirSync(man, { recursive: true });
  writeFileSync(join(man, 'ops-webhook.8.gz'), gzipText(readFileSync(join(ROOT, 'deploy/debian/ops-webhook.8'), 'utf8')));

  const debian = join(stage, 'DEBIAN');
  mkdirSync(debian, { recursive: true });
  for (const script of ['postinst', 'prerm', 'postrm']) copyInto(stage, join(ROOT, 'deploy/debian', script), join('/DEBIAN', script), 0o755);
  const installedKb = Math.ceil(walk(stage).filter((p) => !p.startsWith(debian) && statSync(p).isFile()).reduce((sum, p) => sum + statSync(p).size, 0) / 1024);
  writeFileSync(
    join(debian, 'control'),
    [
      `Package: ${PACKAGE}`,
      `Version: ${ver}`,
      `Architecture: ${ARCH}`,
      `Maintainer: ${MAINTAINER}`,
      `Installed-Size: ${installedKb}`,
      'Depends: libc6 (>= 2.28), passwd',
      'Section: net',
      'Priority: optional',
      'Description: onboarding portal to Ops desk webhook link',
      ' The link between a customer-onboarding portal and an operations desk:',
      ' a durable, signed emitter (an outbox in SQLite) and an idempotent',
      ' receiver that opens tickets, both served by workerd. The package',
      ' carries its own Node.js, workerd and libSQL; `ops-webhook setup`',
      ' configures each machine and pairs the two over mutual TLS.',
      '',
    ].join('\n'),
  );

  // Directories 0755, files as copied (executables 0755, the rest 0644), all at the commit's time.
  for (const path of walk(stage)) {
    const stat = statSync(path);
    if (stat.isDirectory()) chmodSync(path, 0o755);
    else chmodSync(path, stat.mode & 0o111 ? 0o755 : 0o644);
    utimesSync(path, epoch, epoch);
  }
  utimesSync(stage, epoch, epoch);

  const out = join(ROOT, 'dist', `${PACKAGE}_${ver}_${ARCH}.deb`);
  sh('dpkg-deb', ['--build', '--root-owner-group', '-Zxz', stage, out], { env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) } });
  step(`wrote ${relative(ROOT, out)} (${(statSync(out).size / 1048576).toFixed(1)} MiB, installs ${(installedKb / 1024).toFixed(0)} MiB)`);
}

main().catch((err: Error & { stderr?: string }) => {
  process.stderr.write(`package: ${err.message}${err.stderr ? `\n${err.stderr}` : ''}\n`);
  process.exit(1);
});
