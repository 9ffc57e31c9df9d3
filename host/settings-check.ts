/**
 * Every rule a function's start is held to before anything runs, stated once: the host's settings
 * and the function's (zod), the inspector only in development, the TLS files, and the listener
 * combinations workerd can serve. The preflight applies it before the host serves, and the
 * developer loop before Wrangler starts. Throws {@link ConfigError} naming each bad variable.
 */
import { ConfigError, loadConfig } from '../functions/host-contract/settings';
import { settingNames, settingsSchema, type DatabaseSettings } from './function-config-schemas';
import type { FunctionSpec } from './served-functions';
import { HOST_SETTINGS, type HostSettings } from './host-settings';
import { pemCertificateProblems, tlsProblems } from './tls-files';

/** The validated settings a function starts with. */
export interface CheckedSettings {
  host: HostSettings;
  config: DatabaseSettings;
  /** The variables the host passes into workerd. */
  settingNames: string[];
}

export function checkSettings(spec: FunctionSpec, env: NodeJS.ProcessEnv): CheckedSettings {
  const host = loadConfig(HOST_SETTINGS, env);
  const { DATABASE_URL, DATABASE_AUTH_TOKEN } = loadConfig(settingsSchema(spec.name), env);
  // The inspector runs any code inside workerd (every secret, any SQL) for whoever can reach its port.
  if (host.WORKERD_INSPECTOR_ADDR && env.NODE_ENV !== 'development') {
    throw new ConfigError(['WORKERD_INSPECTOR_ADDR is refused unless NODE_ENV=development (it lets any local user run code inside workerd)']);
  }
  const problems = tlsProblems(host);
  // The relay reads it at start; a path that cannot be read would only show at the first mail.
  if (env.NOTIFY_SMTP_CA_FILE) problems.push(...pemCertificateProblems('NOTIFY_SMTP_CA_FILE', env.NOTIFY_SMTP_CA_FILE));
  // Only the machine socket can be shared between workerd processes; a second listener would be bound twice.
  if (host.OPERATOR_PORT !== undefined && host.WORKERD_PROCESSES > 1) problems.push('OPERATOR_PORT cannot be used with WORKERD_PROCESSES > 1');
  // Both on one address and port, workerd would fail to bind the second and exit 1, again and again under systemd.
  const port = host.PORT ?? spec.defaultPort;
  if (host.OPERATOR_PORT !== undefined && host.OPERATOR_PORT !== 0 && host.OPERATOR_PORT === port) {
    problems.push(`OPERATOR_PORT and PORT are both ${port}: the operator listener needs a port of its own`);
  }
  if (problems.length) throw new ConfigError(problems);
  return { host, config: { DATABASE_URL, DATABASE_AUTH_TOKEN }, settingNames: settingNames(spec.name) };
}
