/** Addresses as the host reads and prints them. */

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/** True when `host` is a loopback address (nothing beyond this machine can connect). */
export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

/** `host:port` as a URL authority (IPv6 in brackets). */
export function authority(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}
