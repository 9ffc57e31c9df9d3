/**
 * The whole link on this machine, as `npm start` and `npm run dev` both set it up: settings from
 * the environment, then `.dev.vars`; each function gets its own settings (its config.ts) and the
 * host's, a variable prefixed with the function's name (`RECEIVER_PORT`) for that function
 * alone; a shared secret and an operator made for the run when none is set; and the banner
 * with the addresses of the desk and the console.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { operatorEntry } from '../functions/operator-area/password';
import { settingNames } from '../host/function-config-schemas';
import { FUNCTIONS, type FunctionSpec } from '../host/served-functions';
import { ROOT } from '../host/project.mjs';
import { HOST_SETTINGS } from '../host/host-settings';
import { loadDevVars } from './dev-vars';

/** Settings the two functions must not share (one port, one database each): taken only with the prefix. */
const PER_FUNCTION = new Set(['PORT', 'DATABASE_URL', 'DATABASE_AUTH_TOKEN']);

/** One JSON log line of the developer scripts. */
export function say(service: string, msg: string, fields: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ ts: new Date().toISOString(), level: 'info', msg, service, ...fields }));
}

export interface LocalLink {
  /** Every variable known for this run (.dev.vars under the environment). */
  vars: Record<string, string | undefined>;
  host: string;
  ports: { receiver: string; emitter: string };
  /** The variables the link itself sets for each function (the emitter pointed at the receiver, the shared secret). */
  links: Record<string, Record<string, string>>;
  /** An operator made for this run, when OPERATOR_USERS is not set. */
  oneRunLogin?: { name: string; password: string };
}

/**
 * Reads the run's settings and fills in what the link needs (see the module comment);
 * `resolvePort` may turn a port setting into the one the run will use (0 into a free one).
 */
export async function localLink(service: string, resolvePort = async (port: string) => port): Promise<LocalLink> {
  const vars: Record<string, string | undefined> = { ...loadDevVars(join(ROOT, '.dev.vars')), ...process.env };
  let secret = vars.WEBHOOK_SECRET;
  if (!secret) {
    secret = randomBytes(32).toString('base64url');
    say(service, 'no WEBHOOK_SECRET set: generated one for this run only; set it in .dev.vars to call the receiver yourself');
  }
  let oneRunLogin: LocalLink['oneRunLogin'];
  if (!vars.OPERATOR_USERS) {
    oneRunLogin = { name: 'operator', password: randomBytes(12).toString('base64url') };
    vars.OPERATOR_USERS = await operatorEntry(oneRunLogin.name, oneRunLogin.password);
  }
  const ports = {
    receiver: await resolvePort(vars.RECEIVER_PORT || String(FUNCTIONS.receiver!.defaultPort)),
    emitter: await resolvePort(vars.EMITTER_PORT || String(FUNCTIONS.emitter!.defaultPort)),
  };
  return {
    vars,
    host: vars.HOST || '127.0.0.1',
    ports,
    links: {
      receiver: { WEBHOOK_SECRET: secret },
      emitter: { OPS_WEBHOOK_URL: `http://127.0.0.1:${ports.receiver}/api/v1/webhooks/onboard`, OPS_WEBHOOK_SECRET: secret },
    },
    oneRunLogin,
  };
}

/** The variables one function runs with: its settings and the host's, function-prefixed ones winning, then the link's. */
export function settingsFor(link: LocalLink, spec: FunctionSpec): Record<string, string> {
  const prefix = `${spec.name.toUpperCase()}_`;
  const env: Record<string, string> = { ...(link.links[spec.name] ?? {}) };
  for (const key of [...settingNames(spec.name), ...Object.keys(HOST_SETTINGS.shape)]) {
    const value = link.vars[prefix + key] || (PER_FUNCTION.has(key) ? undefined : link.vars[key]);
    if (value) env[key] = value;
  }
  return env;
}

/** The lines that tell a person where the desk and the console are, and how to sign in. */
export function banner(link: LocalLink, ports = link.ports): string {
  const { host, oneRunLogin } = link;
  return `
  Ops desk (receiver):        http://${host}:${ports.receiver}/desk
  Delivery console (emitter): http://${host}:${ports.emitter}/console
  API reference:              http://${host}:${ports.receiver}/docs and http://${host}:${ports.emitter}/docs
${oneRunLogin ? `  Sign in as "${oneRunLogin.name}" with password "${oneRunLogin.password}" (made for this run only; set OPERATOR_USERS in .dev.vars to keep one)
` : ''}`;
}
