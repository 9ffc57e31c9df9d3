/** Sends bytes exactly as given over a TCP connection and reads what comes back: for requests no HTTP client would send. */
import { connect } from 'node:net';

export interface RawAnswer {
  /** The status code of the first response, or 0 when the connection closed without one. */
  status: number;
  /** Everything received. */
  text: string;
}

/**
 * Writes `request` to `url`'s host and port; with `halfClose`, ends the sending side after it (a
 * client that vanishes mid-body). Resolves when the server closes or `timeoutMs` passes.
 */
export function rawRequest(url: string, request: string, options: { halfClose?: boolean; timeoutMs?: number } = {}): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text });
    };
    const timer = setTimeout(finish, options.timeoutMs ?? 5000);
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      // One complete response is enough: stop at the end of its body.
      const length = /\r\ncontent-length: *(\d+)/i.exec(text);
      const head = text.indexOf('\r\n\r\n');
      if (length && head >= 0 && text.length >= head + 4 + Number(length[1])) finish();
    });
    socket.on('close', finish);
    socket.write(request, () => {
      if (options.halfClose) socket.end();
    });
  });
}
