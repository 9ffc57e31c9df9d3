/**
 * Renders the workerd configuration (Cap'n Proto text) for one function: the worker module, an
 * HTTP socket on HOST:PORT, and its bindings. Secrets are bound with `fromEnvironment`, so the
 * file on disk never holds them; workerd reads them from the environment the host gives it.
 */
import { relative } from 'node:path';
import { LISTENER_HEADER, type Listener } from '../../functions/host-contract/wire-names';

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
  /** V8 flags for workerd (used to bound the young generation; see host/host-settings.ts). */
  v8Flags?: string[];
  /** A second listener for the operator pages (people), apart from `port` (machines). */
  operatorPort?: number;
  /** TLS on the listener (files embedded by path: the key never leaves its file), with client certificates required when `clientCa` is given. */
  tls?: { certFile: string; keyFile: string; clientCaFile?: string };
  /** The host's notification relay (the NOTIFY binding), on a unix socket. */
  notify?: { unixSocket: string };
  /** Outbound TLS of the worker's network access: the CAs to trust (else workerd's browser CAs) and a client certificate. */
  outboundTls?: { caFile?: string; certFile?: string; keyFile?: string };
}

/** The socket the host's own calls (the sweep) use while the listener speaks TLS: plain HTTP on a loopback port of its own. */
export const INTERNAL_SOCKET = 'internal';
/** The operator listener's socket (OPERATOR_PORT). */
export const OPERATOR_SOCKET = 'operator';

const q = (s: string) => JSON.stringify(s);

/** The config text. */
export function renderWorkerdConfig(input: WorkerdConfigInput): string {
  const embed = (path: string) => `embed ${q(relative(input.configDir, path))}`;
  const out = input.outboundTls ?? {};
  const outboundTls = [
    out.caFile ? `trustBrowserCas = false, trustedCertificates = [${embed(out.caFile)}]` : 'trustBrowserCas = true',
    ...(out.certFile && out.keyFile ? [`keypair = (privateKey = ${embed(out.keyFile)}, certificateChain = ${embed(out.certFile)})`] : []),
  ].join(', ');
  const network = `network = (allow = ["public", "private", "local"], tlsOptions = (${outboundTls}))`;
  const services = [
    `(name = "main", worker = .worker)`,
    'unixSocket' in input.database
      ? `(name = "libsql", external = (address = ${q(`unix:${input.database.unixSocket}`)}, http = ()))`
      : `(name = "libsql", ${network})`,
    input.outbound ? `(name = "internet", ${network})` : `(name = "internet", ${'network = (allow = [])'})`,
    ...(input.assets ? [`(name = "assets", disk = (path = ${q(input.assets)}, writable = false))`] : []),
    ...(input.notify ? [`(name = "notify", external = (address = ${q(`unix:${input.notify.unixSocket}`)}, http = ()))`] : []),
  ];
  const bindings = [
    `(name = "LIBSQL", service = "libsql")`,
    ...Object.entries(input.text).map(([name, value]) => `(name = ${q(name)}, text = ${q(value)})`),
    ...input.fromEnvironment.map((name) => `(name = ${q(name)}, fromEnvironment = ${q(name)})`),
    ...(input.assets ? [`(name = "ASSETS", service = "assets")`] : []),
    ...(input.notify ? [`(name = "NOTIFY", service = "notify")`] : []),
  ];
  const host = input.host.includes(':') ? `[${input.host}]` : input.host;
  const { tls } = input;
  // With OPERATOR_PORT each socket marks its requests (replacing any such header a client sent), so
  // the worker serves on each only its own paths (functions/platform/http/listeners.ts). workerd's header
  // injection has a price per request (docs/performance.md), so one listener injects nothing: a
  // client that sends the header there only narrows what it may reach.
  const mark = (listener: Listener) => `injectRequestHeaders = [(name = ${q(LISTENER_HEADER)}, value = ${q(listener)})]`;
  const listener = (listenerMark: string, clientCerts: boolean) =>
    tls
      ? `https = (options = (${listenerMark}), tlsOptions = (keypair = (privateKey = ${embed(tls.keyFile)}, certificateChain = ${embed(tls.certFile)}), minVersion = tls1Dot2${
          clientCerts && tls.clientCaFile ? `, requireClientCerts = true, trustedCertificates = [${embed(tls.clientCaFile)}]` : ''
        }))`
      : `http = (${listenerMark})`;
  const split = input.operatorPort !== undefined;
  const sockets = [
    `(name = "http", address = ${q(`${host}:${input.port}`)}, ${listener(split ? mark('machine') : '', true)}, service = "main")`,
    ...(split ? [`(name = ${q(OPERATOR_SOCKET)}, address = ${q(`${host}:${input.operatorPort}`)}, ${listener(mark('operator'), false)}, service = "main")`] : []),
    ...(tls ? [`(name = ${q(INTERNAL_SOCKET)}, address = "127.0.0.1:0", http = (${mark('internal')}), service = "main")`] : []),
  ];
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    ${services.join(',\n    ')}
  ],
  sockets = [
    ${sockets.join(',\n    ')}
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
