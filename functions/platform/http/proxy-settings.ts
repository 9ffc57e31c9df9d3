/**
 * Behind a reverse proxy. PUBLIC_ORIGIN is the origin browsers use (e.g. `https://ops-desk.lan`):
 * the same-origin check of the operator pages compares against it, their cookies are `Secure`
 * when it is https, and its host is allowed by default. TRUSTED_PROXIES lists the proxies'
 * addresses (or IPv4 CIDRs): only a request whose peer is one of them has its X-Forwarded-For
 * believed, and then the client is the right-most address in it that is not a trusted proxy.
 */
import { z } from 'zod';

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** One trusted proxy: an exact address, or an IPv4 network. */
export type TrustedProxy = { address: string } | { network: number; bits: number };

function ipv4(text: string): number | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

export const PUBLIC_ORIGIN = z.preprocess(
  (v) => (v === '' ? undefined : v),
  z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// origin such as https://ops-desk.lan' })
    .refine((u) => new URL(u).origin === u.replace(/\/$/, ''), { message: 'must be an origin only (scheme, host and port; no path)' })
    .transform((u) => new URL(u).origin)
    .optional(),
);

export const TRUSTED_PROXIES = z.preprocess(
  (v) => (v === '' ? undefined : v),
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      const proxies: TrustedProxy[] = [];
      for (const [i, raw] of (text ?? '').split(',').map((e) => e.trim()).filter(Boolean).entries()) {
        const [address, bits] = raw.split('/');
        const v4 = ipv4(address!);
        if (bits !== undefined) {
          const n = Number(bits);
          if (v4 === undefined || !Number.isInteger(n) || n < 0 || n > 32) {
            ctx.addIssue({ code: 'custom', message: `entry ${i + 1} is not an address or an IPv4 CIDR` });
            return z.NEVER;
          }
          proxies.push({ network: n === 0 ? 0 : (v4 & (~0 << (32 - n))) >>> 0, bits: n });
        } else if (v4 !== undefined || address!.includes(':')) {
          proxies.push({ address: address!.toLowerCase() });
        } else {
          ctx.addIssue({ code: 'custom', message: `entry ${i + 1} is not an address or an IPv4 CIDR` });
          return z.NEVER;
        }
      }
      return proxies;
    }),
);

/** True when `address` is one of the trusted proxies. */
export function isTrustedProxy(address: string, proxies: TrustedProxy[]): boolean {
  const v4 = ipv4(address);
  return proxies.some((p) =>
    'address' in p ? p.address === address.toLowerCase() : v4 !== undefined && (p.bits === 0 || ((v4 & (~0 << (32 - p.bits))) >>> 0) === p.network),
  );
}

/** The client behind trusted proxies: the right-most X-Forwarded-For address that is not one of them (the peer when there is none). */
export function clientBehindProxies(peer: string, forwardedFor: string | null, proxies: TrustedProxy[]): string {
  if (!forwardedFor || !isTrustedProxy(peer, proxies)) return peer;
  const hops = forwardedFor.split(',').map((h) => h.trim()).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) if (!isTrustedProxy(hops[i]!, proxies)) return hops[i]!;
  return hops[0] ?? peer;
}
