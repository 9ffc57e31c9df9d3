/**
 * Renders the workerd configuration (Cap'n Proto text) for one function: the worker module, an
 * HTTP socket on HOST:PORT, and its bindings. Secrets are bound with `fromEnvironment`, so the
 * file on disk never holds them; workerd reads them from the environment the host gives it.
 */
import { relative } from 'node:path';

export interface WorkerdConfigInput {
  /** Directory the config file is written to (module paths are made relative to it). */
  configDir: string;
  bundle: string;
  host: string;
  port: number;
  compatibilityDate: string;
  compatibilityFlags: string[];
  /** Plain text bindings (not secret). */
  text: Record<string, string>;
  /** Bindings whose value workerd takes from its own environment. */
  fromEnvironment: string[];
  /** How the `LIBSQL` binding reaches the database. */
  database: { unixSocket: string } | { network: true };
  /** Give the worker outbound network access (loopback and private ranges included). */
  outbound: boolean;
  /** A read-only folder (node_modules) the worker reads page assets from (the ASSETS binding). */
  assets?: string;
  /** V8 flags for workerd (used to bound the young generation; see host/settings.ts). */
  v8Flags?: string[];
}

const q = (s: string) => JSON.stringify(s);

/** The config text. */
export function renderWorkerdConfig(input: WorkerdConfigInput): string {
  const network = `network = (allow = ["public", "private", "local"], tlsOptions = (trustBrowserCas = true))`;
  const services = [
    `(name = "main", worker = .worker)`,
    'unixSocket' in input.database
      ? `(name = "libsql", external = (address = ${q(`unix:${input.database.unixSocket}`)}, http = ()))`
      : `(name = "libsql", ${network})`,
    input.outbound ? `(name = "internet", ${network})` : `(name = "internet", ${'network = (allow = [])'})`,
    ...(input.assets ? [`(name = "assets", disk = (path = ${q(input.assets)}, writable = false))`] : []),
  ];
  const bindings = [
    `(name = "LIBSQL", service = "libsql")`,
    ...Object.entries(input.text).map(([name, value]) => `(name = ${q(name)}, text = ${q(value)})`),
    ...input.fromEnvironment.map((name) => `(name = ${q(name)}, fromEnvironment = ${q(name)})`),
    ...(input.assets ? [`(name = "ASSETS", service = "assets")`] : []),
  ];
  const host = input.host.includes(':') ? `[${input.host}]` : input.host;
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    ${services.join(',\n    ')}
  ],
  sockets = [
    (name = "http", address = ${q(`${host}:${input.port}`)}, http = (), service = "main")
  ],
  v8Flags = [${(input.v8Flags ?? []).map(q).join(', ')}],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "index.js", esModule = embed ${q(relative(input.configDir, input.bundle))})
  ],
  compatibilityDate = ${q(input.compatibilityDate)},
  compatibilityFlags = [${input.compatibilityFlags.map(q).join(', ')}],
  bindings = [
    ${bindings.join(',\n    ')}
  ],
  globalOutbound = "internet",
);
`;
}
