import { clientBehindProxies, type TrustedProxy } from './proxy-settings';

/**
 * The caller's address: workerd puts the connection's peer in `request.cf.clientIp` ("ip" or
 * "ip:port"). X-Forwarded-For counts only when that peer is a trusted proxy (TRUSTED_PROXIES),
 * since anyone can send it.
 */
export function clientAddress(request: Request, proxies: TrustedProxy[] = []): string | undefined {
  const peer = peerAddress(request);
  return peer === undefined ? undefined : clientBehindProxies(peer, request.headers.get('x-forwarded-for'), proxies);
}

/** The connection's peer itself. */
export function peerAddress(request: Request): string | undefined {
  const cf = (request as { cf?: { clientIp?: unknown } }).cf;
  const address = typeof cf?.clientIp === 'string' ? cf.clientIp : undefined;
  if (address === undefined) return undefined;
  if (address.startsWith('[')) return address.slice(1, address.indexOf(']'));
  // One colon: IPv4 with a port. More: a bare IPv6 address.
  return address.split(':').length === 2 ? address.split(':')[0] : address;
}
