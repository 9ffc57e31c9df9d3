/** Runs workerd: starts it, reports where it listens, restarts it after a crash, stops it on request. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import type { Logger } from '../../functions/host-contract/logger';
import { ROOT } from '../project.mjs';
import { authority } from '../address';
import { INTERNAL_SOCKET, OPERATOR_SOCKET } from './config';
import { HandshakeLog } from './handshake-log';

const RESTART_WINDOW_MS = 60_000;

/**
 * What workerd prints at start whenever heap-sizing V8 flags are set (the default
 * `--initial-heap-size`, host/host-settings.ts): its built-in scripts are then compiled at isolate
 * creation instead of taken from its cache, a few milliseconds once per start. Expected, so not
 * passed on to the journal where it would read as a fault.
 */
const EXPECTED_STDERR = /per-isolate bootstrap compile cache failed its compatibility check/;
const MAX_RESTARTS = 5;
/** workerd's report of a TLS handshake that failed, and the reference the worker's error carries. */
const TLS_FAILURE = /TLS handshake failed: ([^;]+?)\s*$/;
const WORKERD_ERROR_ID = /wdErrId = (\w+)/;

/**
 * Path of the workerd binary: the `workerd` package, the one version in the tree (`npm ls
 * workerd`), which Wrangler, Miniflare and the in-workerd tests run too.
 */
export function workerdBinary(): string {
  return (createRequire(import.meta.url)('workerd') as { default: string }).default;
}

/**
 * Spawns `workerd serve <config>` with its control channel on fd 3, and calls `onListen` with
 * the port each time workerd reports its HTTP socket listening (port 0 becomes a real one there),
 * and `onOther` for any other named socket (the internal one beside a TLS listener).
 */
export function spawnWorkerd(
  configPath: string,
  env: Record<string, string>,
  onListen: (port: number) => void,
  options: { socketFd?: number; operatorFd?: number; inspectorAddr?: string; onOther?: (socket: string, port: number) => void } = {},
): ChildProcess {
  const { socketFd, operatorFd, inspectorAddr } = options;
  // With `socketFd`, the socket named "http" is that already-listening descriptor (shared by several workerd processes,
  // or systemd's); with `operatorFd`, the operator listener's too (systemd's, for OPERATOR_PORT).
  const passed = [socketFd, operatorFd].filter((fd): fd is number => fd !== undefined);
  const shared = [
    ...(socketFd === undefined ? [] : ['--socket-fd', 'http=4']),
    ...(operatorFd === undefined ? [] : ['--socket-fd', `${OPERATOR_SOCKET}=${socketFd === undefined ? 4 : 5}`]),
  ];
  const inspector = inspectorAddr ? [`--inspector-addr=${inspectorAddr}`] : [];
  const child = spawn(workerdBinary(), ['serve', configPath, '--control-fd=3', ...shared, ...inspector], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'inherit', 'pipe', 'pipe', ...passed],
  });
  // A failed TLS handshake is reported on one line and, for an outbound one, the reference the worker's
  // error carries on the next (its stack): both become one log line, so the reason can be found by it.
  // Inbound ones (no reference) are paced (handshake-log.ts).
  let tlsFailure: { reason: string; timer: NodeJS.Timeout } | undefined;
  const handshakes = new HandshakeLog((fields) => process.stderr.write(`${JSON.stringify({ ts: new Date().toISOString(), level: 'warn', ...fields })}\n`));
  child.on('exit', () => handshakes.flush());
  const reportTls = (reference?: string) => {
    if (!tlsFailure) return;
    clearTimeout(tlsFailure.timer);
    handshakes.failed(tlsFailure.reason, reference);
    tlsFailure = undefined;
  };
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (EXPECTED_STDERR.test(line)) return;
    const reference = WORKERD_ERROR_ID.exec(line)?.[1];
    if (tlsFailure && reference) return reportTls(reference);
    reportTls();
    const reason = TLS_FAILURE.exec(line)?.[1];
    if (reason) {
      tlsFailure = { reason, timer: setTimeout(() => reportTls(), 100) };
      return;
    }
    process.stderr.write(`${line}\n`);
  });
  createInterface({ input: child.stdio[3] as NodeJS.ReadableStream }).on('line', (line) => {
    try {
      const message = JSON.parse(line) as { event?: string; socket?: string; port?: number };
      if (message.event !== 'listen' || message.port === undefined) return;
      if (message.socket === 'http') onListen(message.port);
      else if (message.socket) options.onOther?.(message.socket, message.port);
    } catch {
      // Not a control message we know; ignore.
    }
  });
  return child;
}

export interface SupervisorOptions {
  name: string;
  configPath: string;
  /** workerd's environment: the secrets its config binds with `fromEnvironment`. */
  env: Record<string, string>;
  host: string;
  graceMs: number;
  log: Logger;
  /** The port the host's own calls reach this workerd on: the listener's, or the internal socket's beside a TLS listener. */
  onListening: (port: number) => void;
  /** `https` when the listener speaks TLS (its sweeps then use the internal socket). */
  scheme?: 'http' | 'https';
  /** A listening socket this host inherited, shared by every workerd it runs (WORKERD_PROCESSES > 1). */
  socketFd?: number;
  /** The operator listener's socket from systemd (OPERATOR_PORT under socket activation). */
  operatorFd?: number;
  /** WORKERD_INSPECTOR_ADDR, for profiling. */
  inspectorAddr?: string;
}

export class WorkerdSupervisor {
  #child: ChildProcess | undefined;
  #stopping = false;
  #restarts: number[] = [];
  #resolve!: (code: number) => void;

  constructor(private readonly options: SupervisorOptions) {}

  /** Starts workerd; resolves with the exit code once it is stopped or given up on. */
  run(): Promise<number> {
    const done = new Promise<number>((resolve) => (this.#resolve = resolve));
    this.#start();
    return done;
  }

  /** SIGTERM to workerd (it stops accepting and finishes in-flight requests), SIGKILL after the grace period. */
  stop(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    const child = this.#child;
    if (!child || child.exitCode !== null) return this.#resolve(0);
    this.options.log.info('stopping', { grace_ms: this.options.graceMs });
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), this.options.graceMs).unref();
  }

  #start(): void {
    const { name, configPath, env, host, log, onListening, socketFd, operatorFd, inspectorAddr, scheme = 'http' } = this.options;
    const child = spawnWorkerd(
      configPath,
      env,
      (port) => {
        log.info('listening', { function: name, url: `${scheme}://${authority(host, port)}`, pid: child.pid });
        if (scheme === 'http') onListening(port);
      },
      {
        socketFd,
        operatorFd,
        inspectorAddr,
        onOther: (socket, port) => {
          if (socket === OPERATOR_SOCKET) log.info('operator pages listening', { function: name, url: `${scheme}://${authority(host, port)}`, pid: child.pid });
          if (scheme === 'https' && socket === INTERNAL_SOCKET) onListening(port);
        },
      },
    );
    this.#child = child;
    child.on('exit', (code, signal) => {
      if (this.#stopping) return this.#resolve(0);
      const now = Date.now();
      this.#restarts = this.#restarts.filter((t) => now - t < RESTART_WINDOW_MS);
      log.error('workerd exited unexpectedly', { code, signal, restarts_in_window: this.#restarts.length });
      if (this.#restarts.length >= MAX_RESTARTS) {
        log.error('giving up: workerd keeps crashing', { max_restarts: MAX_RESTARTS, window_ms: RESTART_WINDOW_MS });
        return this.#resolve(1);
      }
      this.#restarts.push(now);
      setTimeout(() => !this.#stopping && this.#start(), 250 * 2 ** this.#restarts.length).unref();
    });
  }
}
