/**
 * Which functions this machine runs, as the command finds them: a role is configured when its env
 * file exists. Each comes with its values and the TLS material the command needs to reach it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readEnvFile, type EnvValues } from './env-file';
import type { ClientTls } from './https-client';
import { envFile, FILES, ROLES, type Role } from './layout';
import { StepFailure } from './report';

export interface Configured {
  role: Role;
  env: EnvValues;
}

export function configuredRoles(): Configured[] {
  return ROLES.filter((role) => existsSync(envFile(role))).map((role) => ({ role, env: readEnvFile(envFile(role)) }));
}

/** The configured roles, or a failure that says how to set one up. */
export function requireConfigured(what: string): Configured[] {
  const roles = configuredRoles();
  if (roles.length === 0) throw new StepFailure(what, 'this machine is not set up (no /etc/ops-webhook/receiver.env or emitter.env)', 'on VM122: ops-webhook setup receiver --listen ADDR:PORT; on VM112: ops-webhook setup emitter --pair FILE');
  return roles;
}

/** The one role a command acts on: the only one configured, or the one `--function` names. */
export function pickRole(what: string, named: string | undefined): Configured {
  const roles = requireConfigured(what);
  if (named) {
    const found = roles.find((r) => r.role === named);
    if (!found) throw new StepFailure(what, `${named} is not set up here`, `--function ${roles.map((r) => r.role).join(' or ')}`);
    return found;
  }
  if (roles.length > 1) throw new StepFailure(what, 'both functions are set up here', '--function receiver or --function emitter');
  return roles[0]!;
}

/** Where the role's own listener answers, and the TLS to reach it with from this machine. */
export function localEndpoint(configured: Configured): { base: string; tls?: ClientTls } {
  const { env } = configured;
  const host = (env.HOST ?? '127.0.0.1').includes(':') ? `[${env.HOST}]` : (env.HOST ?? '127.0.0.1');
  const port = env.PORT ?? (configured.role === 'receiver' ? '8080' : '8787');
  if (!env.TLS_CERT_FILE) return { base: `http://${host}:${port}` };
  const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined);
  return { base: `https://${host}:${port}`, tls: { ca: read(env.TLS_CLIENT_CA_FILE ?? FILES.caCert) ?? '', cert: read(FILES.clientCert), key: read(FILES.clientKey) } };
}
