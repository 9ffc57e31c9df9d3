/**
 * One booted Debian system of the drill: systemd-nspawn -b on a tree of its own, in the drill's
 * network namespace, with the packages bound read-only at /pkg. Commands run inside through
 * nsenter into its PID 1's namespaces. A reboot is systemd's own (`systemctl reboot`, after
 * which nspawn ends and the drill boots the tree again); poweroff ends it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, type CommandResult } from './run-command';

export interface TestSystemOptions {
  name: string;
  dir: string;
  netns: string;
  packages: string;
  log: string;
}

function childrenOf(pid: number): number[] {
  const tasks = join('/proc', String(pid), 'task');
  if (!existsSync(tasks)) return [];
  return readdirSync(tasks).flatMap((task) => {
    try {
      return readFileSync(join(tasks, task, 'children'), 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
}

/** The process below `root` that is PID 1 of its own PID namespace: the container's init. */
function containerInit(root: number): number | undefined {
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    try {
      const nspid = /^NSpid:\s+(.+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]?.trim().split(/\s+/);
      if (pid !== root && nspid && nspid.length > 1 && nspid.at(-1) === '1') return pid;
    } catch {
      continue;
    }
    queue.push(...childrenOf(pid));
  }
  return undefined;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class TestSystem {
  #nspawn: ChildProcess | undefined;
  #init: number | undefined;
  #exited: Promise<number | null> | undefined;

  constructor(readonly options: TestSystemOptions) {}

  get name(): string {
    return this.options.name;
  }

  /** Boots the tree and waits until systemd says it is up (running or degraded). */
  async boot(timeoutMs = 90_000): Promise<void> {
    const log = createWriteStream(this.options.log, { flags: 'a' });
    const child = spawn(
      'systemd-nspawn',
      ['-D', this.options.dir, '-b', '--register=no', '--keep-unit', `-M`, this.options.name, `--network-namespace-path=/run/netns/${this.options.netns}`, `--bind-ro=${this.options.packages}:/pkg`, '--console=passive'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    this.#nspawn = child;
    this.#exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${this.name}: systemd-nspawn ended (${child.exitCode}) while booting; see ${this.options.log}`);
      this.#init ??= containerInit(child.pid!);
      if (this.#init) {
        const state = await this.exec(['systemctl', 'is-system-running'], { timeoutMs: 5000 }).catch(() => undefined);
        const word = state?.stdout.trim();
        if (word === 'running' || word === 'degraded') return;
      }
      await pause(250);
    }
    throw new Error(`${this.name}: not up within ${timeoutMs} ms; see ${this.options.log}`);
  }

  /** Runs `command` inside the system, as root. */
  exec(command: string[], options: { timeoutMs?: number; input?: string; env?: Record<string, string> } = {}): Promise<CommandResult> {
    if (!this.#init) throw new Error(`${this.name} is not booted`);
    const env = Object.entries({ PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', ...options.env }).map(([k, v]) => `${k}=${v}`);
    return runCommand('nsenter', ['--target', String(this.#init), '--mount', '--uts', '--ipc', '--net', '--pid', '--', 'env', '-i', ...env, ...command], { timeoutMs: options.timeoutMs, input: options.input });
  }

  /** Runs a command that must succeed inside; answers its standard output. */
  async run(command: string[], options: { timeoutMs?: number; input?: string; env?: Record<string, string> } = {}): Promise<string> {
    const result = await this.exec(command, options);
    if (result.status !== 0) throw new Error(`${this.name}: ${command.join(' ')} exited ${result.status}\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
  }

  /** A shell command line inside. */
  sh(script: string, options: { timeoutMs?: number } = {}): Promise<string> {
    return this.run(['sh', '-c', script], options);
  }

  /** systemd's own reboot: the system goes down in order, nspawn ends, and the tree boots again. */
  async reboot(): Promise<void> {
    await this.exec(['systemctl', 'reboot'], { timeoutMs: 10_000 }).catch(() => undefined);
    await this.#waitForExit(60_000);
    this.#init = undefined;
    await this.boot();
  }

  /** Powers the system off (SIGTERM to nspawn if it does not go within the time). */
  async poweroff(): Promise<void> {
    if (!this.#nspawn || this.#nspawn.exitCode !== null) return;
    if (this.#init) await this.exec(['systemctl', 'poweroff'], { timeoutMs: 10_000 }).catch(() => undefined);
    if (!(await this.#waitForExit(30_000).then(() => true, () => false))) {
      this.#nspawn.kill('SIGTERM');
      if (!(await this.#waitForExit(15_000).then(() => true, () => false))) this.#nspawn.kill('SIGKILL');
    }
    this.#init = undefined;
  }

  async #waitForExit(timeoutMs: number): Promise<void> {
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${this.name}: nspawn did not end within ${timeoutMs} ms`)), timeoutMs).unref());
    await Promise.race([this.#exited, timeout]);
  }
}
