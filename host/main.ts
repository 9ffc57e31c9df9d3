/**
 * The host: the Node process that serves one function (`node host/serve.mjs receiver|emitter`,
 * what systemd runs). Its preflight (a short child) validates the host's and the function's
 * settings and applies migrations; then the host serves the SQLite file over the libSQL protocol
 * on a private unix socket, generates the workerd config, runs workerd on HOST:PORT or the socket
 * systemd passed (restarting it after a crash), drives the sweeps, and on SIGTERM shuts
 * everything down in order.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type Logger } from '../functions/host-contract/logger';
import { buildFunctions, bundlePath } from './build';
import { resolveApiToken } from './api-token-file';
import type { DatabaseSettings } from './function-config-schemas';
import { functionSpec, type FunctionSpec } from './served-functions';
import { serveDatabase, type ServedDatabase } from './served-database';
import { startNotifyRelay, type NotifyRelay } from './notify-relay';
import { HOST_NODE_ARGS, ROOT } from './project.mjs';
import { PREFLIGHT_BUNDLE } from './bundle.mjs';
import type { PreflightResult } from './preflight';
import type { HostSettings } from './host-settings';
import { AmbiguousSockets, inheritedSocket, runWithSharedSocket, type InheritedSocket } from './shared-socket';
import { SweepDriver } from './sweep-driver';
import { renderWorkerdConfig } from './workerd/config';
import { readCompatibility } from './wrangler-toml';
import { WorkerdSupervisor } from './workerd/supervisor';

/** The preflight's validated settings, or the exit code it refused with. */
function runPreflight(spec: FunctionSpec, env: NodeJS.ProcessEnv, inherited: InheritedSocket | undefined): PreflightResult | number {
  // A host whose parent host opened the socket runs under that host's preflight, which migrated; under systemd it migrates itself.
  const args = [PREFLIGHT_BUNDLE, spec.name, ...(inherited?.from === 'host' ? ['--no-migrations'] : [])];
  const preflight = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'inherit', 'inherit', 'pipe'], encoding: 'utf8' });
  if (preflight.status !== 0) return preflight.status ?? 1;
  return JSON.parse(String(preflight.output[3])) as PreflightResult;
}

/** Warns, before anything else, when Node runs without the host's flags. */
function checkNodeFlags(spec: FunctionSpec, env: NodeJS.ProcessEnv, log: Logger): void {
  const given = [...process.execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)];
  const missing = HOST_NODE_ARGS.filter((flag) => !given.includes(flag));
  if (missing.length > 0) log.warn('node started without the host\'s flags: it will hold more memory under load', { missing, expected: `node ${HOST_NODE_ARGS.join(' ')} host/serve.mjs ${spec.name}` });
}

/** The start-up lines a person reading the journal needs: the socket, what is off and how to turn it on, the inspector. */
function announceStart(spec: FunctionSpec, host: HostSettings, env: NodeJS.ProcessEnv, inherited: InheritedSocket | undefined, log: Logger): void {
  if (inherited?.from === 'systemd') log.info('serving on the socket systemd passed (socket activation): connections wait in its queue across restarts', { fd: inherited.fd, pid: process.pid });
  if (!env.OPERATOR_USERS) log.info(`operator pages (${spec.operatorPages}) are off: set OPERATOR_USERS to entries made by npm run --silent operator-hash -- NAME`);
  if (host.WORKERD_INSPECTOR_ADDR) log.warn('workerd inspector is on: any local user who reaches it can run code inside workerd; profiling only', { inspector: host.WORKERD_INSPECTOR_ADDR });
  for (const off of spec.offUntilSet ?? []) if (!env[off.setting]) log.info(`${off.what} is off: set ${off.setting} to ${off.how} to turn it on`);
}

/** The variables workerd starts with: the function's settings (bound fromEnvironment, never written to the config file) and the host's tokens. */
function workerEnvironment(spec: FunctionSpec, env: NodeJS.ProcessEnv, settingNames: string[], database: ServedDatabase, apiToken: string | undefined, sweepToken: string | undefined): Record<string, string> {
  const workerEnv: Record<string, string> = {};
  for (const key of settingNames) if (env[key]) workerEnv[key] = env[key];
  if (spec.apiToken && apiToken) workerEnv[spec.apiToken] = apiToken;
  delete workerEnv.DATABASE_URL;
  if (database.authToken) workerEnv.DATABASE_AUTH_TOKEN = database.authToken;
  else delete workerEnv.DATABASE_AUTH_TOKEN;
  if (sweepToken) workerEnv.SWEEP_TOKEN = sweepToken;
  return workerEnv;
}

/** Writes workerd's config for this start into `runtimeDir` (0600); answers its path. */
function writeWorkerdConfig(spec: FunctionSpec, host: HostSettings, config: DatabaseSettings, database: ServedDatabase, workerEnv: Record<string, string>, runtimeDir: string, relay: NotifyRelay | undefined): string {
  const compatibility = readCompatibility();
  const configPath = join(runtimeDir, 'workerd.capnp');
  const text = renderWorkerdConfig({
    configDir: runtimeDir,
    bundle: bundlePath(spec.name),
    host: host.HOST,
    port: host.PORT ?? spec.defaultPort,
    compatibilityDate: compatibility.date,
    compatibilityFlags: compatibility.flags,
    text: { DATABASE_URL: config.DATABASE_URL },
    fromEnvironment: Object.keys(workerEnv),
    database: database.binding,
    outbound: spec.outbound === true,
    notify: relay ? { unixSocket: relay.socketPath } : undefined,
    assets: join(ROOT, 'node_modules'),
    v8Flags: host.WORKERD_V8_FLAGS,
    operatorPort: host.OPERATOR_PORT,
    tls: host.TLS_CERT_FILE && host.TLS_KEY_FILE ? { certFile: host.TLS_CERT_FILE, keyFile: host.TLS_KEY_FILE, clientCaFile: host.TLS_CLIENT_CA_FILE } : undefined,
    outboundTls: spec.outbound ? { caFile: host.OPS_WEBHOOK_CA_FILE, certFile: host.OPS_WEBHOOK_CLIENT_CERT_FILE, keyFile: host.OPS_WEBHOOK_CLIENT_KEY_FILE } : undefined,
  });
  writeFileSync(configPath, text, { mode: 0o600 });
  return configPath;
}

/** Runs the workerd processes (one, or WORKERD_PROCESSES on a shared socket) and the sweeps until a signal or a failure; answers the exit code. */
async function superviseWorkerd(
  spec: FunctionSpec,
  host: HostSettings,
  run: { configPath: string; workerEnv: Record<string, string>; sweepToken?: string; inherited?: InheritedSocket },
  log: Logger,
): Promise<number> {
  const scheme = host.TLS_CERT_FILE ? 'https' : 'http';
  // Beside a TLS listener the sweep goes to workerd's internal plain socket on loopback (host/workerd/config.ts).
  const sweeper = run.sweepToken ? new SweepDriver(run.sweepToken, scheme === 'https' ? '127.0.0.1' : host.HOST, spec.sweep?.everyMs ?? host.SWEEP_INTERVAL_MS, log) : undefined;
  const supervisors = Array.from(
    { length: run.inherited === undefined ? 1 : host.WORKERD_PROCESSES },
    () =>
      new WorkerdSupervisor({
        name: spec.name,
        configPath: run.configPath,
        env: run.workerEnv,
        host: host.HOST,
        graceMs: host.SHUTDOWN_GRACE_MS,
        log,
        onListening: (port) => sweeper?.start(port),
        scheme,
        socketFd: run.inherited?.fd,
        operatorFd: run.inherited?.operatorFd,
        inspectorAddr: host.WORKERD_INSPECTOR_ADDR,
      }),
  );
  const stop = () => {
    sweeper?.stop();
    for (const supervisor of supervisors) supervisor.stop();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // One process that keeps crashing takes the service down (exit 1, for systemd to restart it), not just itself.
  const codes = await Promise.all(supervisors.map((s) => s.run().then((code) => (code !== 0 && stop(), code))));
  process.off('SIGTERM', stop);
  process.off('SIGINT', stop);
  return Math.max(...codes);
}

/** Serves function `name` until SIGTERM/SIGINT (or an unrecoverable workerd failure); resolves with the exit code. */
export async function serve(name: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const spec = functionSpec(name);
  // Lifecycle lines (listening, stopping, crashes) are few and always wanted, whatever LOG_LEVEL says.
  const log: Logger = createLogger(env.LOG_LEVEL === 'debug' ? 'debug' : 'info', { service: `serve-${spec.name}` });
  let inherited: InheritedSocket | undefined;
  try {
    inherited = inheritedSocket(env);
  } catch (err) {
    if (!(err instanceof AmbiguousSockets)) throw err;
    log.error('refusing to start', { problems: [err.message] });
    return 2;
  }
  checkNodeFlags(spec, env, log);
  const preflight = runPreflight(spec, env, inherited);
  if (typeof preflight === 'number') return preflight;
  const { host, config, settingNames } = preflight;
  if (host.WORKERD_PROCESSES > 1 && inherited === undefined) return runWithSharedSocket(host.HOST, host.PORT ?? spec.defaultPort, env, log);
  if (inherited?.operatorFd !== undefined && host.OPERATOR_PORT === undefined) {
    log.error('refusing to start', { problems: ['systemd passed a socket named operator, but OPERATOR_PORT is not set'] });
    return 2;
  }
  announceStart(spec, host, env, inherited, log);
  let apiToken: ReturnType<typeof resolveApiToken> | undefined;
  try {
    apiToken = spec.apiToken ? resolveApiToken(spec.apiToken, config.DATABASE_URL, env) : undefined;
  } catch (err) {
    log.error('refusing to start', { problems: [(err as Error).message] });
    return 2;
  }
  if (apiToken?.path) log.info(`${apiToken.created ? 'made the API token' : 'the API token is'} in ${apiToken.path}: /v1/* requires it as Authorization: Bearer`);

  await buildFunctions([spec.name]);
  const runtimeDir = mkdtempSync(join(tmpdir(), `ops-webhook-${spec.name}-`));
  let database: ServedDatabase;
  try {
    database = await serveDatabase(spec, config, host, { socketPath: join(runtimeDir, 'libsql.sock') }, log);
  } catch (err) {
    log.error('database setup failed', { error: (err as Error).message });
    rmSync(runtimeDir, { recursive: true, force: true });
    return 1;
  }
  let relay: NotifyRelay | undefined;
  if (spec.notifyRelay?.some((setting) => env[setting])) {
    try {
      relay = await startNotifyRelay(env, join(runtimeDir, 'notify.sock'), log);
    } catch (err) {
      log.error('refusing to start: the notification relay', { problems: [(err as Error).message] });
      await database.close();
      rmSync(runtimeDir, { recursive: true, force: true });
      return 2;
    }
  }
  const sweepToken = spec.sweep ? randomBytes(32).toString('base64url') : undefined;
  const workerEnv = workerEnvironment(spec, env, settingNames, database, apiToken?.token, sweepToken);
  const configPath = writeWorkerdConfig(spec, host, config, database, workerEnv, runtimeDir, relay);
  const code = await superviseWorkerd(spec, host, { configPath, workerEnv, sweepToken, inherited }, log);

  await relay?.close();
  await database.close();
  rmSync(runtimeDir, { recursive: true, force: true });
  log.info('stopped', { code });
  return code;
}

serve(process.argv[2] ?? '')
  .then((code) => process.exit(code))
  .catch((err: Error) => {
    console.error(JSON.stringify({ ts: new Date().toISOString(), level: 'error', msg: 'serve failed', error: err.message }));
    process.exit(1);
  });
