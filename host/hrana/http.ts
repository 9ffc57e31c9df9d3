/**
 * HTTP front of the {@link HranaEndpoint}: bearer-token authentication, routing and body limits,
 * as a Node server for the host (on a private unix socket, or loopback TCP in tests) and as a
 * fetch-style handler for Miniflare service bindings in tests.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { chmodSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { HranaEndpoint } from './endpoint';
import type { PipelineAnswer } from './protocol';

/** Largest pipeline body accepted, in bytes. */
const MAX_PIPELINE_BYTES = 16 * 1024 * 1024;

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Checks `Authorization: Bearer <token>` against `token` (every request passes when there is none). */
function bearerCheck(token: string | undefined): (header: string | null | undefined) => boolean {
  if (token === undefined) return () => true;
  const expected = digest(token);
  return (header) => {
    const match = /^Bearer +(.+)$/i.exec(header ?? '');
    return match !== null && timingSafeEqual(digest(match[1]!), expected);
  };
}

export interface HranaHttpOptions {
  /** Bearer token every request must carry (none: every request passes). */
  token?: string;
  /** Answers `GET /health` on the same socket: the storage under the database (see host/storage.ts). */
  health?: () => unknown;
}

async function route(
  endpoint: HranaEndpoint,
  options: HranaHttpOptions,
  authorized: boolean,
  method: string,
  path: string,
  readBody: () => Promise<string>,
): Promise<PipelineAnswer> {
  if (!authorized) return { status: 401, body: { message: 'unauthorized', code: 'UNAUTHORIZED' } };
  if (path === '/v2' && method === 'GET') return { status: 200, body: {} };
  if (path === '/health' && method === 'GET' && options.health) return { status: 200, body: options.health() };
  if (path !== '/v2/pipeline') return { status: 404, body: { message: `no route ${path}`, code: 'NOT_FOUND' } };
  if (method !== 'POST') return { status: 405, body: { message: 'use POST', code: 'METHOD_NOT_ALLOWED' } };
  let body: unknown;
  try {
    body = JSON.parse(await readBody());
  } catch {
    return { status: 400, body: { message: 'body is not JSON', code: 'HRANA_PROTO_ERROR' } };
  }
  return endpoint.pipeline(body);
}

function readNodeBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_PIPELINE_BYTES) {
        reject(new Error('pipeline body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts a Node HTTP server for `endpoint` on a unix socket (mode 0600) or a loopback TCP port. */
export async function listenHrana(
  endpoint: HranaEndpoint,
  where: { socketPath: string } | { port: number },
  options: HranaHttpOptions = {},
): Promise<Server> {
  const authorized = bearerCheck(options.token);
  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    route(endpoint, options, authorized(req.headers.authorization), req.method ?? 'GET', path, () => readNodeBody(req))
      .then(({ status, body }) => {
        const text = JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      })
      .catch((err: Error) => {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: err.message, code: 'HRANA_PROTO_ERROR' }));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if ('socketPath' in where) server.listen(where.socketPath, resolve);
    else server.listen(where.port, '127.0.0.1', resolve);
  });
  if ('socketPath' in where) chmodSync(where.socketPath, 0o600);
  return server;
}

/** A fetch-style handler (Request → Response) for `endpoint`, for a Miniflare service binding. */
export function hranaFetchHandler(endpoint: HranaEndpoint, options: HranaHttpOptions = {}) {
  const authorized = bearerCheck(options.token);
  return async function hranaFetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const { status, body } = await route(endpoint, options, authorized(request.headers.get('authorization')), request.method, url.pathname, () =>
      request.text(),
    );
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
}
