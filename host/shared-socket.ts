/**
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
import type { Logger } from '../functions/shared/logger';

/** The variable that tells the child host which descriptor is the shared socket. */
export const LISTEN_FD_VARIABLE = 'OPS_WEBHOOK_LISTEN_FD';

/** The inherited socket's descriptor, when this host is the child of one that opened it. */
export function inheritedSocket(env: NodeJS.ProcessEnv): number | undefined {
  const fd = env[LISTEN_FD_VARIABLE];
  return fd === undefined ? undefined : Number(fd);
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
