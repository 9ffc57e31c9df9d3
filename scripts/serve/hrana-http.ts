/**
 * HTTP front of the {@link HranaEndpoint}: a Node server for the serve process (on a private
 * unix socket) and a fetch-style handler for Miniflare service bindings in tests.
 */
import { chmodSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { HranaEndpoint } from './hrana-server';

/** Largest pipeline body accepted, in bytes. */
const MAX_PIPELINE_BYTES = 16 * 1024 * 1024;

async function route(
  endpoint: HranaEndpoint,
  method: string,
  path: string,
  authorization: string | null | undefined,
  readBody: () => Promise<string>,
): Promise<{ status: number; body: unknown }> {
  if (!endpoint.authorized(authorization)) return { status: 401, body: { message: 'unauthorized', code: 'UNAUTHORIZED' } };
  if (path === '/v2' && method === 'GET') return { status: 200, body: {} };
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
export async function listenHrana(endpoint: HranaEndpoint, where: { socketPath: string } | { port: number }): Promise<Server> {
  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    route(endpoint, req.method ?? 'GET', (req.url ?? '/').split('?')[0]!, req.headers.authorization, () => readNodeBody(req))
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

/** A fetch-style handler (Request → Response), for a Miniflare service binding. */
export function hranaFetchHandler(endpoint: HranaEndpoint) {
  return async function hranaFetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const { status, body } = await route(endpoint, request.method, url.pathname, request.headers.get('authorization'), () =>
      request.text(),
    );
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
}
