/**
 * The serve process: validates a function's configuration, migrates and serves its SQLite file
 * over the libSQL protocol on a private unix socket, generates the workerd config, runs workerd
 * on HOST:PORT, restarts it if it crashes, and shuts everything down in order on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../../functions/shared/config';
import { createLogger, type Logger } from '../../functions/shared/logger';
import { buildFunctions, bundlePath } from './build';
import { functionSpec, ROOT, type FunctionSpec } from './functions';
import { listenHrana } from './hrana-http';
import { HranaEndpoint } from './hrana-server';
import { applyMigrations, filePathOf, openSqlite, type SqliteDb } from './sqlite';
import { renderWorkerdConfig } from './workerd-config';

const SERVE_CONFIG = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).optional(),
  SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /** Pause between outbox sweeps (emitter), when the last one left nothing due. */
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
});

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/**
 * V8's young generation grows to 16 MB per semi-space under load, which took workerd from 60 MB
 * to about 220 MB resident in the benchmark; 4 MB semi-spaces hold it near 140 MB at the same
 * request rate (scavenges stay cheap). WORKERD_V8_FLAGS overrides the list.
 */
const WORKERD_V8_FLAGS = ['--max-semi-space-size=4'];

const RESTART_WINDOW_MS = 60_000;
const MAX_RESTARTS = 5;

/** compatibility_date and compatibility_flags from wrangler.toml: one source for both runtimes. */
function compatibility(): { date: string; flags: string[] } {
  const toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1];
  if (!date) throw new Error('wrangler.toml has no compatibility_date');
  return { date, flags: flags ? [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1]!) : [] };
}

function workerdBinary(): string {
  return (createRequire(import.meta.url)('workerd') as { default: string }).default;
}

/** Runs `name` until SIGTERM/SIGINT (or an unrecoverable workerd failure). */
export async function serve(name: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const spec = functionSpec(name);
  // Lifecycle lines (listening, stopping, crashes) are few and always wanted, whatever LOG_LEVEL says.
  const log = createLogger(env.LOG_LEVEL === 'debug' ? 'debug' : 'info', { service: `serve-${spec.name}` });
  let settings: z.infer<typeof SERVE_CONFIG>;
  let config: { DATABASE_URL: string; DATABASE_AUTH_TOKEN?: string | undefined };
  try {
    settings = loadConfig(SERVE_CONFIG, env);
    config = loadConfig(spec.config, env);
    const missing = LOOPBACK.test(settings.HOST) ? [] : (spec.requiredBeyondLoopback ?? []).filter((k) => !env[k]);
    if (missing.length) {
      throw new ConfigError(`${missing.join(', ')} must be set when HOST (${settings.HOST}) is not a loopback address`);
    }
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    log.error('refusing to start', { error: err.message });
    return 2;
  }

  await buildFunctions([spec.name]);
  const runtimeDir = mkdtempSync(join(tmpdir(), `ops-webhook-${spec.name}-`));
  const embedded = config.DATABASE_URL.startsWith('file:');
  let sqlite: SqliteDb | undefined;
  let endpoint: HranaEndpoint | undefined;
  let hranaServer: Server | undefined;
  const workerEnv: Record<string, string> = {};
  try {
    await applyMigrations(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN, join(ROOT, spec.migrations));
    if (embedded) {
      const token = randomBytes(32).toString('base64url');
      sqlite = openSqlite(filePathOf(config.DATABASE_URL), settings.SQLITE_SYNCHRONOUS);
      spec.beforeStart?.(sqlite);
      endpoint = new HranaEndpoint(sqlite, { authToken: token });
      hranaServer = await listenHrana(endpoint, { socketPath: join(runtimeDir, 'libsql.sock') });
      workerEnv.DATABASE_AUTH_TOKEN = token;
    } else if (config.DATABASE_AUTH_TOKEN) {
      workerEnv.DATABASE_AUTH_TOKEN = config.DATABASE_AUTH_TOKEN;
    }
  } catch (err) {
    log.error('database setup failed', { error: (err as Error).message });
    rmSync(runtimeDir, { recursive: true, force: true });
    return 1;
  }
  for (const key of spec.bindings) if (env[key] !== undefined && env[key] !== '') workerEnv[key] = env[key]!;
  const sweepToken = spec.sweeps ? randomBytes(32).toString('base64url') : undefined;
  if (sweepToken) workerEnv.EMITTER_SWEEP_TOKEN = sweepToken;

  const compat = compatibility();
  const configPath = join(runtimeDir, 'workerd.capnp');
  writeFileSync(
    configPath,
    renderWorkerdConfig({
      configDir: runtimeDir,
      bundle: bundlePath(spec.name),
      host: settings.HOST,
      port: settings.PORT ?? spec.defaultPort,
      compatibilityDate: compat.date,
      compatibilityFlags: compat.flags,
      text: { DATABASE_URL: config.DATABASE_URL },
      fromEnvironment: Object.keys(workerEnv),
      database: embedded ? { unixSocket: join(runtimeDir, 'libsql.sock') } : { network: true },
      outbound: spec.sweeps === true,
      v8Flags: env.WORKERD_V8_FLAGS ? env.WORKERD_V8_FLAGS.split(/\s+/).filter(Boolean) : WORKERD_V8_FLAGS,
    }),
    { mode: 0o600 },
  );

  const sweeper = sweepToken ? new SweepDriver(sweepToken, settings, log) : undefined;
  const supervisor = new WorkerdSupervisor(spec, configPath, workerEnv, settings, log, (port) => sweeper?.start(port));
  const stop = () => {
    sweeper?.stop();
    supervisor.stop();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const code = await supervisor.run();
  process.off('SIGTERM', stop);
  process.off('SIGINT', stop);

  await new Promise<void>((resolve) => (hranaServer ? hranaServer.close(() => resolve()) : resolve()));
  endpoint?.close();
  if (sqlite) {
    sqlite.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    sqlite.close();
  }
  rmSync(runtimeDir, { recursive: true, force: true });
  log.info('stopped', { code });
  return code;
}

/** Starts workerd, reports where it listens, restarts it after a crash, stops it on request. */
class WorkerdSupervisor {
  #child: ChildProcess | undefined;
  #stopping = false;
  #restarts: number[] = [];
  #resolve!: (code: number) => void;

  constructor(
    private readonly spec: FunctionSpec,
    private readonly configPath: string,
    private readonly workerEnv: Record<string, string>,
    private readonly settings: z.infer<typeof SERVE_CONFIG>,
    private readonly log: Logger,
    private readonly onListening: (port: number) => void,
  ) {}

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
    this.log.info('stopping', { grace_ms: this.settings.SHUTDOWN_GRACE_MS });
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), this.settings.SHUTDOWN_GRACE_MS).unref();
  }

  #start(): void {
    const child = spawn(workerdBinary(), ['serve', this.configPath, '--control-fd=3'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...this.workerEnv },
      stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
    });
    this.#child = child;
    const control = child.stdio[3];
    if (control && 'on' in control) {
      createInterface({ input: control as NodeJS.ReadableStream }).on('line', (line) => {
        try {
          const message = JSON.parse(line) as { event?: string; socket?: string; port?: number };
          if (message.event === 'listen' && message.socket === 'http') {
            const host = this.settings.HOST.includes(':') ? `[${this.settings.HOST}]` : this.settings.HOST;
            this.log.info('listening', { function: this.spec.name, url: `http://${host}:${message.port}`, pid: child.pid });
            this.onListening(message.port!);
          }
        } catch {
          // Not a control message we know; ignore.
        }
      });
    }
    child.on('exit', (code, signal) => {
      if (this.#stopping) return this.#resolve(0);
      const now = Date.now();
      this.#restarts = this.#restarts.filter((t) => now - t < RESTART_WINDOW_MS);
      this.log.error('workerd exited unexpectedly', { code, signal, restarts_in_window: this.#restarts.length });
      if (this.#restarts.length >= MAX_RESTARTS) {
        this.log.error('giving up: workerd keeps crashing', { max_restarts: MAX_RESTARTS, window_ms: RESTART_WINDOW_MS });
        return this.#resolve(1);
      }
      this.#restarts.push(now);
      setTimeout(() => !this.#stopping && this.#start(), 250 * 2 ** this.#restarts.length).unref();
    });
  }
}

/**
 * Drives the emitter's outbox sweep, since plain workerd has no cron: one POST at a time to
 * /__internal/sweep over loopback, again at once while the worker reports more due work,
 * otherwise every SWEEP_INTERVAL_MS. The first sweep runs as soon as workerd listens, so
 * messages left by a previous run go out without waiting.
 */
class SweepDriver {
  #port: number | undefined;
  #running = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly token: string,
    private readonly settings: z.infer<typeof SERVE_CONFIG>,
    private readonly log: Logger,
  ) {}

  /** (Re)points the driver at workerd's port (it changes when an ephemeral port is re-bound after a crash). */
  start(port: number): void {
    this.#port = port;
    if (!this.#running) {
      this.#running = true;
      void this.#loop();
    }
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      let more = false;
      try {
        // Wildcard binds are reached through loopback; a specific address through itself.
        const host = ['0.0.0.0', '::', 'localhost'].includes(this.settings.HOST) ? '127.0.0.1' : this.settings.HOST;
        const url = `http://${host.includes(':') ? `[${host}]` : host}:${this.#port}/__internal/sweep`;
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'x-sweep-token': this.token },
          signal: AbortSignal.timeout(120_000),
        });
        const summary = (await res.json()) as { more?: boolean };
        more = res.ok && summary.more === true;
      } catch (err) {
        if (!this.#stopped) this.log.warn('sweep request failed', { error: (err as Error).message });
      }
      if (!more && !this.#stopped) {
        await new Promise<void>((resolve) => (this.#timer = setTimeout(resolve, this.settings.SWEEP_INTERVAL_MS)));
      }
    }
  }
}
