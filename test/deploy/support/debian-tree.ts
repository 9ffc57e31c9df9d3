/**
 * Debian systems for the drill, made with debootstrap from the mirror the machine's own apt
 * sources name, and cached as a tarball between runs (keyed by suite and package list), so a
 * run after the first only unpacks. The tools are installed with apt-get when missing.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { mustRun, runCommand } from './run-command';

export const CACHE_DIR = process.env.OPS_WEBHOOK_DRILL_CACHE ?? '/var/cache/ops-webhook-drill';

/** The packages every test system has: systemd to boot, and python3 with httpx for the portal's module. */
export const SYSTEM_PACKAGES = ['systemd', 'systemd-sysv', 'dbus', 'iproute2', 'ca-certificates', 'python3', 'python3-httpx', 'python3-aiosmtpd'];

/** Installs what the drill needs from Debian's packages when it is missing. */
export async function ensureTools(): Promise<void> {
  const needed = [
    ['debootstrap', 'debootstrap'],
    ['systemd-nspawn', 'systemd-container'],
    ['lintian', 'lintian'],
  ].filter(([command]) => !existsSync(`/usr/sbin/${command}`) && !existsSync(`/usr/bin/${command}`));
  if (needed.length === 0) return;
  await mustRun('apt-get', ['update', '-qq'], { timeoutMs: 300_000 });
  await mustRun('apt-get', ['install', '-y', '-qq', ...needed.map(([, pkg]) => pkg!)], { timeoutMs: 600_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

/** The Debian mirror the machine's apt sources name (deb822 or one-line form). */
export function debianMirror(): string {
  const files = [
    ...(existsSync('/etc/apt/sources.list') ? ['/etc/apt/sources.list'] : []),
    ...(existsSync('/etc/apt/sources.list.d') ? readdirSync('/etc/apt/sources.list.d').map((f) => join('/etc/apt/sources.list.d', f)) : []),
  ];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const deb822 = /^URIs:\s*(\S+)/m.exec(text);
    const oneLine = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+\S+/m.exec(text);
    for (const url of [deb822?.[1], oneLine?.[1]]) if (url && !/security/.test(url) && /^https?:\/\//.test(url)) return url;
  }
  throw new Error('no Debian mirror in /etc/apt/sources.list or sources.list.d: the drill debootstraps from it');
}

/** The cached tarball of a `suite` system with `packages`, made now when missing. */
export async function cachedTree(suite: string, packages: string[]): Promise<string> {
  const key = createHash('sha256').update(`${suite} ${packages.join(',')}`).digest('hex').slice(0, 12);
  const tarball = join(CACHE_DIR, `${suite}-${key}.tar`);
  if (existsSync(tarball)) return tarball;
  mkdirSync(CACHE_DIR, { recursive: true });
  const dir = join(CACHE_DIR, `${suite}-${key}.building`);
  rmSync(dir, { recursive: true, force: true });
  await mustRun('debootstrap', ['--variant=minbase', `--include=${packages.join(',')}`, suite, dir, debianMirror()], { timeoutMs: 900_000 });
  await mustRun('tar', ['-C', dir, '-cf', `${tarball}.tmp`, '.'], { timeoutMs: 300_000 });
  renameSync(`${tarball}.tmp`, tarball);
  rmSync(dir, { recursive: true, force: true });
  return tarball;
}

/** A fresh tree at `dir` from a cached tarball. */
export async function unpackTree(tarball: string, dir: string): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await mustRun('tar', ['-C', dir, '-xf', tarball], { timeoutMs: 300_000 });
}

/** Removes a tree (a bind mount left behind would be a reason to stop, not to delete through it). */
export async function removeTree(dir: string): Promise<void> {
  const mounts = await runCommand('findmnt', ['-rn', '-o', 'TARGET']);
  if (mounts.stdout.split('\n').some((target) => target.startsWith(`${dir}/`))) throw new Error(`${dir} still has mounts; not removing it`);
  rmSync(dir, { recursive: true, force: true });
}
