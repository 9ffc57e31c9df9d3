/**
 * People and machines on separate listeners (OPERATOR_PORT). workerd marks every request with
 * the socket it came in on (`injectRequestHeaders` in the host's config, which replaces any such
 * header a client sent), and each socket serves only its own paths: the machine listener (PORT)
 * the endpoints machines call, the operator listener the pages people use and the API documents,
 * and the internal one (beside a TLS listener) only the host's sweep calls. Anything else is 404,
 * as if it did not exist there. Without the header (one listener) every path is served.
 */
import type { MiddlewareHandler } from 'hono';
import { LISTENER_HEADER, type Listener } from '../../host-contract/wire-names';
import { noRoute } from './http-errors';

/** Path prefixes each listener serves, for one function. */
export interface ListenerPaths {
  machine: string[];
  operator: string[];
}

const OPERATOR_COMMON = ['/docs', '/openapi.json'];
const INTERNAL = ['/__internal/'];

/**
 * The paths the API features declare, as prefixes: a path parameter and what follows it become
 * the prefix before it (`/v1/deliveries/{id}` → `/v1/deliveries/`), so a feature's routes are on
 * the machine listener because it is mounted, with no list to keep beside it.
 */
export function declaredPaths(features: { operations: { path: string }[] }[]): string[] {
  return [...new Set(features.flatMap((f) => f.operations.map((o) => o.path.replace(/\{.*$/, ''))))];
}

function within(path: string, prefixes: string[]): boolean {
  return prefixes.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`));
}

/** Middleware: 404 for a path the request's listener does not serve. */
export function servedByListener(paths: ListenerPaths): MiddlewareHandler {
  const allowed: Record<Listener, string[]> = {
    machine: [...paths.machine, ...INTERNAL],
    operator: [...paths.operator, ...OPERATOR_COMMON],
    internal: INTERNAL,
  };
  return async function listenerPaths(c, next) {
    const listener = c.req.header(LISTENER_HEADER) as Listener | undefined;
    if (listener !== undefined && !within(c.req.path, allowed[listener] ?? [])) throw noRoute(c);
    await next();
  };
}
