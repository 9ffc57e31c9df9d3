/**
 * Starts the host (`node host/serve.mjs <function>`, what `npm run serve` and systemd run) as a
 * real process on 127.0.0.1 with an ephemeral port, and tells tests and the benchmark where it
 * listens. Shared by both (the benchmark imports nothing from test/).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

import { HOST_NODE_ARGS, ROOT } from '../../host/project.mjs';
import { RUN_EMITTER_API_TOKEN, RUN_TICKETS_TOKEN } from './serve-tokens';

const ENTRY = 'host/serve.mjs';

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  /** Every line the process printed so far (stdout and stderr). */
  lines: string[];
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | string>;
  /** SIGKILL the host and workerd together (their process group), like a power cut of the service. */
  kill9(): Promise<void>;
}

/** Spawns the host with `env` added to a clean environment and waits until it listens. */
export async function startServe(name: string, env: Record<string, string>, timeoutMs = 90_000, nodeArgs: string[] = []): Promise<ServeProcess> {
  const child = spawn(process.execPath, [...HOST_NODE_ARGS, ...nodeArgs, ENTRY, name], {
    cwd: ROOT,
    // A test machine may be short of disk; the free-space threshold has its own test.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, HOST: '127.0.0.1', PORT: '0', MIN_FREE_DISK_MB: '0', EMITTER_API_TOKEN: RUN_EMITTER_API_TOKEN, TICKETS_API_TOKEN: RUN_TICKETS_TOKEN, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: string[] = [];
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not listen in ${timeoutMs} ms:\n${lines.join('\n')}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        lines.push(line);
        const match = /"msg":"listening".*"url":"([^"]+)"/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before listening:\n${lines.join('\n')}`));
    });
  });
  return {
    url,
    child,
    lines,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill9() {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
      await exited;
    },
  };
}

/** Runs the host to completion (for start-up failures) and returns its exit code and output. */
export async function runServe(name: string, env: Record<string, string>, nodeArgs = HOST_NODE_ARGS): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [...nodeArgs, ENTRY, name], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, HOST: '127.0.0.1', PORT: '0', MIN_FREE_DISK_MB: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

/** A loopback port that was free a moment ago (for a server that must start later on a known port). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
