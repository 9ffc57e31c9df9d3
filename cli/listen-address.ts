/** `ADDR:PORT` as the command takes it (for example `10.10.10.122:8443`, `[fd00::1]:8443`), checked. */
import { isIP } from 'node:net';
import { StepFailure } from './report';

export interface ListenAddress {
  host: string;
  port: number;
  /** As systemd's ListenStream= and a URL's authority write it. */
  text: string;
}

export function parseListen(option: string, value: string | undefined): ListenAddress {
  const match = value ? /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):(\d{1,5})$/.exec(value) : null;
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!match || !host || !isIP(host) || !(port >= 1 && port <= 65535)) {
    throw new StepFailure(option, `${JSON.stringify(value ?? '')} is not ADDR:PORT with an IP address and a port from 1 to 65535`, `for example ${option} 10.10.10.122:8443 (IPv6: [fd00::1]:8443)`);
  }
  return { host, port, text: isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}` };
}
