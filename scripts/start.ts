/**
 * `npm start`: the whole link on this machine, on loopback. Starts the receiver (Ops side) and
 * the emitter (portal side) under workerd, the emitter pointed at the receiver, each with its
 * embedded SQLite file under .data/. Values come from the environment, then `.dev.vars`; a
 * missing shared secret is generated for this run only (and never printed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadDevVars } from './dev-vars';
import { ROOT } from './serve/functions';

const vars: Record<string, string | undefined> = { ...loadDevVars(join(ROOT, '.dev.vars')), ...process.env };
const say = (msg: string, fields: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ ts: new Date().toISOString(), level: 'info', msg, service: 'start', ...fields }));

let secret = vars.WEBHOOK_SECRET;
if (!secret) {
  secret = randomBytes(32).toString('base64url');
  say('no WEBHOOK_SECRET set: generated one for this run only; set it in .dev.vars to call the receiver yourself');
}
const host = vars.HOST ?? '127.0.0.1';
const receiverPort = vars.RECEIVER_PORT ?? '8080';
const common = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: host, LOG_LEVEL: vars.LOG_LEVEL ?? 'info' };

const children: ChildProcess[] = [];
function serve(name: string, env: Record<string, string | undefined>): ChildProcess {
  const child = spawn(process.execPath, [join(ROOT, 'scripts/serve.mjs'), name], {
    cwd: ROOT,
    env: Object.fromEntries(Object.entries({ ...common, ...env }).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv,
    stdio: 'inherit',
  });
  children.push(child);
  child.on('exit', (code) => {
    say(`${name} exited`, { code });
    // One half without the other is not the link: stop both.
    for (const other of children) if (other !== child && other.exitCode === null) other.kill('SIGTERM');
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(code ?? 0);
  });
  return child;
}

serve('receiver', {
  PORT: receiverPort,
  DATABASE_URL: vars.RECEIVER_DATABASE_URL ?? 'file:.data/ops.db',
  WEBHOOK_SECRET: secret,
  WEBHOOK_SECRET_PREVIOUS: vars.WEBHOOK_SECRET_PREVIOUS,
  WEBHOOK_REQUIRE_SIGNATURE: vars.WEBHOOK_REQUIRE_SIGNATURE,
});
serve('emitter', {
  PORT: vars.EMITTER_PORT ?? '8787',
  DATABASE_URL: vars.EMITTER_DATABASE_URL ?? 'file:.data/emitter.db',
  OPS_WEBHOOK_URL: vars.OPS_WEBHOOK_URL ?? `http://127.0.0.1:${receiverPort}/api/v1/webhooks/onboard`,
  OPS_WEBHOOK_SECRET: vars.OPS_WEBHOOK_SECRET ?? secret,
  OPS_WEBHOOK_ENABLED: vars.OPS_WEBHOOK_ENABLED,
  OPS_WEBHOOK_TIMEOUT_MS: vars.OPS_WEBHOOK_TIMEOUT_MS,
  OPS_WEBHOOK_RETRY_SCHEDULE: vars.OPS_WEBHOOK_RETRY_SCHEDULE,
  EMITTER_API_TOKEN: vars.EMITTER_API_TOKEN,
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  });
}
