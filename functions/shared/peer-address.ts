/**
 * The caller's address: workerd puts the connection's peer in `request.cf.clientIp` ("ip" or
 * "ip:port"); proxy headers are not trusted for it, since anyone can send them.
 */
export function peerAddress(request: Request): string | undefined {
  const cf = (request as { cf?: { clientIp?: unknown } }).cf;
  const address = typeof cf?.clientIp === 'string' ? cf.clientIp : undefined;
  if (address === undefined) return undefined;
  if (address.startsWith('[')) return address.slice(1, address.indexOf(']'));
  // One colon: IPv4 with a port. More: a bare IPv6 address.
  return address.split(':').length === 2 ? address.split(':')[0] : address;
}
