/**
 * What the command asks of the machine: systemd (systemctl), the service's user and group ids,
 * and that it runs as root. Every call names what failed and how to fix it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from './env-file';
import { StepFailure } from './report';
import { SERVICE_USER, socketDropIn } from './layout';

/** Throws unless the command runs as root. */
export function requireRoot(what: string): void {
  if (process.getuid?.() !== 0) throw new StepFailure(what, 'it needs root (it writes /etc/ops-webhook and manages systemd units)', `sudo ops-webhook ${process.argv.slice(2).join(' ')}`);
}

/** The numeric id of a group in /etc/group. */
export function groupId(name: string): number {
  for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
    const [group, , gid] = line.split(':');
    if (group === name && gid) return Number(gid);
  }
  throw new StepFailure(`group ${name}`, 'it does not exist', 'reinstall the package (apt-get install --reinstall ops-webhook), whose postinst creates it');
}

/** Runs `systemctl ARGS`; answers its status and output. */
export function systemctl(args: string[]): { status: number; output: string } {
  const result = spawnSync('systemctl', args, { encoding: 'utf8' });
  if (result.error) return { status: 127, output: result.error.message };
  return { status: result.status ?? 1, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

/** Runs `systemctl ARGS` and throws, with systemd's words, when it fails. */
export function systemctlOrFail(label: string, args: string[], fix: string): void {
  const result = systemctl(args);
  if (result.status !== 0) throw new StepFailure(label, result.output || `systemctl ${args.join(' ')} exited ${result.status}`, fix);
}

/** Whether a unit is active (`systemctl is-active`). */
export function isActive(unit: string): boolean {
  return systemctl(['is-active', '--quiet', unit]).status === 0;
}

/**
 * Points a socket unit at `address` with a drop-in (the packaged unit stays as shipped, so an
 * upgrade never asks about it); answers whether the drop-in changed.
 */
export function setSocketAddress(unit: string, address: string): boolean {
  const path = socketDropIn(unit);
  const text = `# Written by ops-webhook setup: the address this socket listens on.\n[Socket]\nListenStream=\nListenStream=${address}\n`;
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return false;
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  writeFileAtomic(path, text, 0o644);
  return true;
}

/** Becomes the service's user for the rest of the process, so every file it makes belongs to it. */
export function actAsServiceUser(): void {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${SERVICE_USER}:`));
  if (!line) throw new StepFailure(`user ${SERVICE_USER}`, 'it does not exist', 'apt-get install --reinstall ops-webhook');
  process.setgid!(groupId(SERVICE_USER));
  process.setuid!(Number(line.split(':')[2]));
}
