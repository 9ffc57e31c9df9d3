/**
 * `npm start`: the whole link on this machine, on loopback. Starts the receiver (Ops side) and
 * the emitter (portal side) through the host, the emitter pointed at the receiver, each with its
 * embedded SQLite file under .data/. Settings come from the environment, then `.dev.vars`: each
 * function gets every one of its own settings (its config.ts) and the host's, and a variable
 * prefixed with the function's name (`RECEIVER_PORT`, `EMITTER_DATABASE_URL`) is for that
 * function alone. A missing shared secret is generated for this run only (and never printed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { settingNames } from '../host/function-settings';
import { FUNCTIONS, type FunctionSpec } from '../host/functions';
import { HOST_NODE_ARGS, ROOT } from '../host/project.mjs';
import { HOST_SETTINGS } from '../host/settings';
import { operatorEntry } from '../functions/shared/operators/password';
import { loadDevVars } from './dev-vars';

const vars: Record<string, string | undefined> = { ...loadDevVars(join(ROOT, '.dev.vars')), ...process.env };
const say = (msg: string, fields: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ ts: new Date().toISOString(), level: 'info', msg, service: 'start', ...fields }));

/** Settings the two functions must not share (one port, one database each): taken only with the prefix. */
const PER_FUNCTION = new Set(['PORT', 'DATABASE_URL', 'DATABASE_AUTH_TOKEN']);

/** The variables one function is started with: its settings and the host's, function-prefixed ones winning. */
function settingsFor(spec: FunctionSpec, links: Record<string, string>): Record<string, string> {
  const prefix = `${spec.name.toUpperCase()}_`;
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...links };
  for (const key of [...settingNames(spec.name), ...Object.keys(HOST_SETTINGS.shape)]) {
    const value = vars[prefix + key] || (PER_FUNCTION.has(key) ? undefined : vars[key]);
    if (value) env[key] = value;
  }
  return env;
}

let secret = vars.WEBHOOK_SECRET;
if (!secret) {
  secret = randomBytes(32).toString('base64url');
  say('no WEBHOOK_SECRET set: generated one for this run only; set it in .dev.vars to call the receiver yourself');
}
// A one-run operator, so the desk and the console work in a browser right away.
let oneRunLogin: { name: string; password: string } | undefined;
if (!vars.OPERATOR_USERS) {
  oneRunLogin = { name: 'operator', password: randomBytes(12).toString('base64url') };
  vars.OPERATOR_USERS = await operatorEntry(oneRunLogin.name, oneRunLogin.password);
}
const receiverPort = vars.RECEIVER_PORT || String(FUNCTIONS.receiver!.defaultPort);
const emitterPort = vars.EMITTER_PORT || String(FUNCTIONS.emitter!.defaultPort);
// The link itself: the emitter delivers to this receiver with the same secret, unless told otherwise.
const LINKS: Record<string, Record<string, string>> = {
  receiver: { WEBHOOK_SECRET: secret },
  emitter: { OPS_WEBHOOK_URL: `http://127.0.0.1:${receiverPort}/api/v1/webhooks/onboard`, OPS_WEBHOOK_SECRET: secret },
};

const children: ChildProcess[] = [];
for (const spec of Object.values(FUNCTIONS)) {
  const child = spawn(process.execPath, [...HOST_NODE_ARGS, join(ROOT, 'host/serve.mjs'), spec.name], {
    cwd: ROOT,
    env: settingsFor(spec, LINKS[spec.name] ?? {}),
    stdio: 'inherit',
  });
  children.push(child);
  child.on('exit', (code) => {
    say(`${spec.name} exited`, { code });
    // One half without the other is not the link: stop both.
    for (const other of children) if (other !== child && other.exitCode === null) other.kill('SIGTERM');
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(code ?? 0);
  });
}

const host = vars.HOST || '127.0.0.1';
console.log(`
  Ops desk (receiver):       http://${host}:${receiverPort}/desk
  Delivery console (emitter): http://${host}:${emitterPort}/console
  API reference:             http://${host}:${receiverPort}/docs and http://${host}:${emitterPort}/docs
${oneRunLogin ? `  Sign in as "${oneRunLogin.name}" with password "${oneRunLogin.password}" (made for this run only; set OPERATOR_USERS in .dev.vars to keep one)
` : ''}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  });
}
