/**
 * `npm run dev`: the developer loop. Both functions run under `wrangler dev` (Miniflare and the
 * project's workerd) in watch mode, so an edit under functions/ or db/ is rebuilt and live at
 * once, against the same .data/*.db files as `npm start`: the host's libSQL endpoint serves each
 * file on a loopback port with a token made for this run, and the workers reach it by
 * DATABASE_URL like any libSQL server. It drives the sweeps as the host does, prints the desk
 * and console addresses, and one Ctrl-C stops everything.
 *
 * Each function's Wrangler config is generated under .data/dev/<name>/ from wrangler.toml, with
 * the run's settings in a 0600 .dev.vars beside it: a `.dev.vars` of the project's own (the one
 * `npm start` reads) never reaches the workers unfiltered.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { ASSET_FILES } from '../functions/platform/http/assets';
import { ConfigError } from '../functions/platform/settings/config';
import { createLogger } from '../functions/platform/logger';
import { settingNames } from '../host/function-config-schemas';
import { FUNCTIONS, type FunctionSpec } from '../host/served-functions';
import { resolveApiToken } from '../host/api-token-file';
import { applyMigrations } from '../host/migrations';
import { ROOT } from '../host/project.mjs';
import { serveDatabase, type ServedDatabase } from '../host/served-database';
import { checkSettings } from '../host/settings-check';
import { SweepDriver } from '../host/sweep-driver';
import { readCompatibility } from '../host/wrangler-toml';
import { banner, localLink, say, settingsFor } from './local-link';

const WRANGLER = join(ROOT, 'node_modules/wrangler/bin/wrangler.js');
/** What Wrangler prints once the worker answers on its port. */
const READY = /Ready on (http:\/\/\S+)/;
const QUIET_LINE = /POST \/__internal\/sweep 2\d\d/;
/**
 * Wrangler's own traffic off: no telemetry, no update check (it runs with the banner), no fetch
 * of request.cf data; the loop sends nothing beyond loopback.
 */
const WRANGLER_ENV = { WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };

const log = createLogger('info', { service: 'dev' });

/** Ports this run has handed out: the system may offer a port again as soon as it is released. */
const HANDED_OUT = new Set<number>();

/** A port the system offers on loopback now. */
function offeredPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A free loopback port (for a setting of 0: Wrangler needs a real one, and the emitter the receiver's), never one this run already gave out. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await offeredPort();
    if (HANDED_OUT.has(port)) continue;
    HANDED_OUT.add(port);
    return port;
  }
}

/**
 * One line of the generated .dev.vars, which Wrangler reads with plain dotenv (no expansion):
 * quoted so that `#`, `$` and spaces stay part of the value. dotenv has no escapes inside quotes,
 * so a value holding both quote characters or a line break cannot be written.
 */
function dotenvLine(key: string, value: string): string {
  const quote = !value.includes("'") ? "'" : !value.includes('"') ? '"' : undefined;
  if (quote === undefined || /[\r\n]/.test(value)) throw new ConfigError([`${key} cannot be handed to wrangler dev (it holds both quote characters or a line break)`]);
  return `${key}=${quote}${value}${quote}`;
}

/** What one function needs under Wrangler: its served database and its generated config folder. */
interface DevFunction {
  spec: FunctionSpec;
  database: ServedDatabase;
  dir: string;
  port: number;
  /** The token of the sweep this loop drives, and how long it waits between idle sweeps. */
  sweep?: { token: string; everyMs: number };
}

/** Validates the function's settings, migrates and serves its database, and writes its Wrangler config. */
async function prepare(spec: FunctionSpec, env: Record<string, string>, port: number): Promise<DevFunction> {
  // The same rules the host's preflight applies (host/settings-check.ts).
  const { host, config } = checkSettings(spec, env);
  await applyMigrations(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN, join(ROOT, spec.migrations));
  const database = await serveDatabase(spec, config, { ...host, BACKUP_DIR: undefined }, { port: 0 }, log);

  const vars: Record<string, string> = {};
  for (const key of settingNames(spec.name)) if (env[key]) vars[key] = env[key];
  vars.DATABASE_URL = database.url;
  if (database.authToken) vars.DATABASE_AUTH_TOKEN = database.authToken;
  if (spec.apiToken) {
    const apiToken = resolveApiToken(spec.apiToken, config.DATABASE_URL, env);
    vars[spec.apiToken] = apiToken.token;
    if (apiToken.path) log.info(`the ${spec.name}'s API token is in ${apiToken.path}: /v1/* requires it as Authorization: Bearer (scripts/emit.sh reads it there)`);
  }
  const sweep = spec.sweep ? { token: randomBytes(32).toString('base64url'), everyMs: spec.sweep.everyMs ?? host.SWEEP_INTERVAL_MS } : undefined;
  if (sweep) vars.SWEEP_TOKEN = sweep.token;

  const dir = join(ROOT, '.data', 'dev', spec.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Pages read Swagger UI and htmx through the ASSETS binding; here it is Wrangler's assets, holding just those files.
  for (const { path } of Object.values(ASSET_FILES)) {
    mkdirSync(dirname(join(dir, 'assets', path)), { recursive: true });
    copyFileSync(join(ROOT, 'node_modules', path), join(dir, 'assets', path));
  }
  const compatibility = readCompatibility();
  const wranglerConfig = {
    name: `ops-webhook-${spec.name}-dev`,
    main: join(ROOT, 'functions', spec.name, 'index.ts'),
    compatibility_date: compatibility.date,
    compatibility_flags: compatibility.flags,
    keep_names: false,
    assets: { directory: join(dir, 'assets'), binding: 'ASSETS', run_worker_first: true },
  };
  writeFileSync(join(dir, 'wrangler.json'), `${JSON.stringify(wranglerConfig, null, 2)}\n`);
  writeFileSync(join(dir, '.dev.vars'), `${Object.entries(vars).map(([k, v]) => dotenvLine(k, v)).join('\n')}\n`, { mode: 0o600 });
  return { spec, database, dir, port, sweep };
}

/** Starts `wrangler dev` for one function; resolves once it answers on its port. */
function startWrangler(fn: DevFunction, children: ChildProcess[]): Promise<void> {
  const child = spawn(
    process.execPath,
    // Inspector port 0: the system picks it as the socket opens, so two Wranglers (or anything else
    // on the machine) cannot be handed the same one, as a port chosen beforehand could be.
    [WRANGLER, 'dev', '--config', join(fn.dir, 'wrangler.json'), '--ip', '127.0.0.1', '--port', String(fn.port),
      '--inspector-ip', '127.0.0.1', '--inspector-port', '0', '--show-interactive-dev-session=false'],
    { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...WRANGLER_ENV }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      // The sweep this loop drives every second would drown everything else in Wrangler's request log.
      if (!QUIET_LINE.test(line)) process.stdout.write(`[${fn.spec.name}] ${line}\n`);
      if (READY.test(line)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`wrangler dev for the ${fn.spec.name} exited (code ${code}) before it was ready`)));
  });
}

async function main(): Promise<number> {
  const link = await localLink('dev', async (port) => (port === '0' ? String(await freePort()) : port));
  const functions: DevFunction[] = [];
  const children: ChildProcess[] = [];
  const sweepers: SweepDriver[] = [];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const sweeper of sweepers) sweeper.stop();
    await Promise.all(
      children.map((child) => new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      })),
    );
    for (const fn of functions) await fn.database.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    for (const spec of Object.values(FUNCTIONS)) {
      const port = Number(link.ports[spec.name as 'receiver' | 'emitter']);
      functions.push(await prepare(spec, settingsFor(link, spec), port));
    }
    await Promise.all(functions.map((fn) => startWrangler(fn, children)));
  } catch (err) {
    if (err instanceof ConfigError) log.error('refusing to start', { problems: err.problems });
    else log.error('dev loop failed to start', { error: (err as Error).message });
    await stop(err instanceof ConfigError ? 2 : 1);
    return 1;
  }
  for (const child of children) {
    child.on('exit', (code) => {
      if (stopping) return;
      log.error('a wrangler dev process exited; stopping the loop', { code });
      void stop(1);
    });
  }
  for (const fn of functions) {
    if (!fn.sweep) continue;
    const sweeper = new SweepDriver(fn.sweep.token, '127.0.0.1', fn.sweep.everyMs, log);
    sweeper.start(fn.port);
    sweepers.push(sweeper);
  }
  say('dev', 'watching functions/ and db/: an edit is live as soon as Wrangler has rebuilt it; Ctrl-C stops everything');
  console.log(banner(link));
  return new Promise<number>(() => undefined);
}

void main();
