/**
 * The command's own requests to a function: plain HTTP on loopback, or HTTPS with the link's CA
 * and, for the machine listener, the emitter's client certificate (mutual TLS). Bounded in time;
 * answers the status, the headers and the body text.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface ClientTls {
  ca: string;
  cert?: string;
  key?: string;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function fetchText(url: string, options: { method?: string; headers?: Record<string, string>; body?: string; tls?: ClientTls; timeoutMs?: number } = {}): Promise<Answer> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: options.method ?? 'GET',
        headers: { ...(options.body !== undefined ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}), ...options.headers },
        ...(options.tls ? { ca: options.tls.ca, cert: options.tls.cert, key: options.tls.key } : {}),
        timeout: options.timeoutMs ?? 5000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs ?? 5000} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Asks `url` until it answers `expect` or `timeoutMs` passes; answers the last answer or throws the last error. */
export async function waitForAnswer(url: string, expect: number, options: { tls?: ClientTls; timeoutMs: number }): Promise<Answer> {
  const deadline = Date.now() + options.timeoutMs;
  let last: Answer | Error = new Error('not asked');
  while (Date.now() < deadline) {
    try {
      last = await fetchText(url, { tls: options.tls, timeoutMs: 3000 });
      if (last.status === expect) return last;
    } catch (err) {
      last = err as Error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (last instanceof Error) throw last;
  return last;
}
