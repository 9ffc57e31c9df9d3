/**
 * The Host allowlist: a defence against DNS rebinding. A page on an attacker's site whose name
 * is made to resolve to 127.0.0.1 (or to a LAN address) reaches this server as same-origin, so
 * CORS does not help; what gives it away is the Host header, which still carries the attacker's
 * name. Every request whose Host is not one this server answers for gets 421 Misdirected
 * Request before any route runs, /healthz included. The one exception is /__internal/, where only
 * the host's own sweep calls are answered, each carrying a token made for that start.
 */
import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { apiError } from './http-errors';

/** One allowed name; without a port it matches every port. */
export interface AllowedHost {
  host: string;
  port?: string;
}

/** Names a loopback listener always answers for. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::', '[::]']);
/** The host's sweep calls: they reach the listener by whatever address it has, and carry their own token. */
const INTERNAL_PREFIX = '/__internal/';
const ENTRY = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i;

/** ALLOWED_HOSTS: comma-separated `host[:port]` entries, or unset for the default. */
export const ALLOWED_HOSTS = z.preprocess(
  (v) => (v === '' ? undefined : v),
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return undefined;
      const entries = text.split(',').map((e) => e.trim()).filter(Boolean);
      const parsed: AllowedHost[] = [];
      for (const [i, entry] of entries.entries()) {
        const match = ENTRY.exec(entry);
        if (!match) {
          ctx.addIssue({ code: 'custom', message: `entry ${i + 1} is not host[:port]` });
          return z.NEVER;
        }
        parsed.push({ host: match[1]!.toLowerCase(), port: match[2] });
      }
      return parsed;
    }),
);

/** The default: the listening address (unless it is a wildcard), the loopback names, and PUBLIC_ORIGIN's host. */
export function defaultAllowedHosts(listenHost: string | undefined, publicOrigin?: string): AllowedHost[] {
  const host = listenHost?.includes(':') && !listenHost.startsWith('[') ? `[${listenHost}]` : listenHost;
  const names = host && !WILDCARD_ADDRESSES.has(host) ? [host.toLowerCase(), ...LOOPBACK_NAMES] : LOOPBACK_NAMES;
  if (publicOrigin) names.push(new URL(publicOrigin).hostname.toLowerCase());
  return [...new Set(names)].map((name) => ({ host: name }));
}

/** True when `url`'s host and port (from the request's Host header) are allowed. */
export function isAllowedHost(url: URL, allowed: AllowedHost[]): boolean {
  const host = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return allowed.some((entry) => entry.host === host && (entry.port === undefined || entry.port === port));
}

/** Middleware: 421 for a Host not in the function's ALLOWED_HOSTS (or the default). */
export function requireAllowedHost<
  E extends { Variables: { config: { ALLOWED_HOSTS?: AllowedHost[]; HOST?: string; PUBLIC_ORIGIN?: string }; accessLog: Record<string, unknown> } },
>(): MiddlewareHandler<E> {
  const defaults = new Map<string, AllowedHost[]>();
  return async function allowedHost(c, next) {
    if (c.req.path.startsWith(INTERNAL_PREFIX)) return next();
    const { ALLOWED_HOSTS: configured, HOST: listenHost, PUBLIC_ORIGIN: publicOrigin } = c.var.config;
    let allowed = configured;
    if (allowed === undefined) {
      const key = `${listenHost} ${publicOrigin}`;
      allowed = defaults.get(key) ?? defaultAllowedHosts(listenHost, publicOrigin);
      defaults.set(key, allowed);
    }
    if (!isAllowedHost(new URL(c.req.url), allowed)) {
      c.var.accessLog.reason = 'host_not_allowed';
      c.var.accessLog.host = (c.req.header('host') ?? '').slice(0, 100);
      throw apiError(421, 'misdirected_request', 'this server does not answer for that host name; see ALLOWED_HOSTS');
    }
    await next();
  };
}
