/**
 * Listening sockets the host does not open itself. Under systemd socket activation the socket
 * unit holds the socket across restarts of the service, so the kernel queues connections while
 * the host and workerd start again instead of refusing them; the host hands it to workerd.
 *
 * Several workerd processes on one listening socket (WORKERD_PROCESSES > 1). workerd runs a
 * worker's requests on one thread per process, has no SO_REUSEPORT, but can listen on an
 * inherited descriptor (`--socket-fd`). Node, though, accepts on any socket it listens on itself,
 * so the host splits in two: this process opens HOST:PORT, starts the host again as its child with
 * the socket as descriptor 3 (before Node's event loop ever polls it), closes its own handle, and
 * from then on only forwards signals and the exit code. The child holds the descriptor without
 * accepting, and hands it to every workerd it starts or restarts.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { Logger } from '../functions/host-contract/logger';

/** The variable that tells the child host which descriptor is the shared socket. */
export const LISTEN_FD_VARIABLE = 'OPS_WEBHOOK_LISTEN_FD';

/** The first descriptor systemd passes (sd_listen_fds(3): SD_LISTEN_FDS_START). */
const SD_LISTEN_FDS_START = 3;
/** The names (FileDescriptorName=) of the sockets: the machine endpoints (and everything, with one listener), and OPERATOR_PORT's. */
export const SOCKET_NAME = 'http';
export const OPERATOR_SOCKET_NAME = 'operator';

/** A listening socket this host did not open: from its own parent host, or from systemd socket activation. */
export interface InheritedSocket {
  fd: number;
  from: 'host' | 'systemd';
  /** The operator listener's socket, when systemd passes one named `operator` (OPERATOR_PORT). */
  operatorFd?: number;
}

/** Sockets systemd passed that cannot be told apart: the host refuses to start (exit 2) and says why. */
export class AmbiguousSockets extends Error {
  override name = 'AmbiguousSockets';
}

/**
 * The socket systemd passed, as sd_listen_fds(3) describes: LISTEN_PID must be this process
 * (so a variable leaked to a child is ignored), LISTEN_FDS counts descriptors from 3 on, and
 * LISTEN_FDNAMES (from FileDescriptorName=) tells them apart, by name only: `http` for the
 * machine listener and `operator` for the people's. A single socket with another name (systemd's
 * default is the unit's) is the machine one; anything else that leaves a doubt throws
 * {@link AmbiguousSockets}, since serving the operator socket as the machine one would be wrong silently.
 */
function systemdSockets(env: NodeJS.ProcessEnv, pid: number): { fd: number; operatorFd?: number } | undefined {
  if (env.LISTEN_PID !== String(pid)) return undefined;
  const count = Number(env.LISTEN_FDS);
  if (!Number.isInteger(count) || count < 1) return undefined;
  const names = Array.from({ length: count }, (_, i) => env.LISTEN_FDNAMES?.split(':')[i] ?? 'unknown');
  const positions = (name: string) => names.flatMap((n, i) => (n === name ? [i] : []));
  const [http, operator] = [positions(SOCKET_NAME), positions(OPERATOR_SOCKET_NAME)];
  const fix = 'give the machine socket unit FileDescriptorName=http and the operator one FileDescriptorName=operator';
  if (http.length > 1 || operator.length > 1) throw new AmbiguousSockets(`systemd passed ${count} sockets named ${names.join(', ')}: two share a name; ${fix}`);
  const others = names.filter((n) => n !== SOCKET_NAME && n !== OPERATOR_SOCKET_NAME);
  let machine = http[0];
  if (machine === undefined && count === 1 && operator.length === 0) machine = 0;
  if (machine === undefined) throw new AmbiguousSockets(`systemd passed ${count} socket(s) named ${names.join(', ')} and none is named ${SOCKET_NAME}; ${fix}`);
  if (count > 1 && others.length > 0) throw new AmbiguousSockets(`systemd passed sockets named ${names.join(', ')}: ${others.join(', ')} is neither ${SOCKET_NAME} nor ${OPERATOR_SOCKET_NAME}; ${fix}`);
  return {
    fd: SD_LISTEN_FDS_START + machine,
    ...(operator[0] !== undefined ? { operatorFd: SD_LISTEN_FDS_START + operator[0] } : {}),
  };
}

/** The inherited socket, if any: the parent host's (WORKERD_PROCESSES > 1), else systemd's. Throws {@link AmbiguousSockets}. */
export function inheritedSocket(env: NodeJS.ProcessEnv, pid = process.pid): InheritedSocket | undefined {
  const fd = env[LISTEN_FD_VARIABLE];
  if (fd !== undefined) return { fd: Number(fd), from: 'host' };
  const activated = systemdSockets(env, pid);
  return activated === undefined ? undefined : { ...activated, from: 'systemd' };
}

/** Opens `host`:`port` and runs this host again as a child holding it; resolves with the child's exit code. */
export function runWithSharedSocket(host: string, port: number, env: NodeJS.ProcessEnv, log: Logger): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, host, () => {
      const bound = (server.address() as { port: number }).port;
      const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
      const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
        env: { ...env, [LISTEN_FD_VARIABLE]: '3', PORT: String(bound) },
        stdio: ['ignore', 'inherit', 'inherit', fd],
      });
      // Same tick as the spawn: Node has not polled the socket, so it never accepts on it.
      server.close();
      log.debug('socket handed to the serving host', { port: bound, pid: child.pid });
      const forward = (signal: NodeJS.Signals) => child.kill(signal);
      process.on('SIGTERM', forward);
      process.on('SIGINT', forward);
      child.on('exit', (code, signal) => {
        process.off('SIGTERM', forward);
        process.off('SIGINT', forward);
        resolve(code ?? (signal ? 1 : 0));
      });
    });
  });
}
