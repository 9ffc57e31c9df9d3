/** The router every API route is declared with: what a declaration validates, answers and documents. */
import type { SecurityScheme } from '../../functions/platform/openapi/security-scheme';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { apiError, errorHandler } from '../../functions/platform/http/http-errors';
import { validationFailed } from '../../functions/platform/http/json-request';
import { createLogger } from '../../functions/platform/logger';
import { ApiRoutes } from '../../functions/platform/openapi/api-routes';
import { buildDocument, errorResponses, json, jsonBody } from '../../functions/platform/openapi/document';

type TestApp = { Variables: { config: { MAX_BODY_BYTES: number } } };

const ITEM = z.object({ name: z.string().min(1) });

/** A bearer token, documented and enforced from the declaration of the route that names it. */
const TEST_TOKEN: SecurityScheme<TestApp> = {
  schemes: [{ name: 'testToken', value: { type: 'http', scheme: 'bearer' } }],
  enforce: async function testToken(c, next) {
    if (c.req.header('authorization') !== 'Bearer ok') throw apiError(401, 'unauthorized', 'authentication failed');
    await next();
  },
};

/** A feature with one route of each kind, mounted on an app as an index.ts would. */
function mounted() {
  const feature = new ApiRoutes<TestApp>()
    .route(
      {
        method: 'get',
        path: '/items/{id}',
        summary: 'One item',
        request: { params: z.object({ id: z.coerce.number().int().positive() }), query: z.object({ verbose: z.enum(['yes', 'no']).default('no') }) },
        responses: { 200: json('The item.', z.object({ id: z.number(), verbose: z.string() })), ...errorResponses(404, 422) },
      },
      (c) => c.json({ id: c.req.valid('param').id, verbose: c.req.valid('query').verbose }),
    )
    .route(
      {
        method: 'post',
        path: '/items',
        summary: 'Make an item',
        request: { body: jsonBody(ITEM) },
        responses: { 201: json('Made.', ITEM), ...errorResponses(400, 413, 415, 422) },
      },
      (c) => c.json(c.req.valid('json'), 201),
    )
    .route(
      {
        method: 'post',
        path: '/labels',
        summary: 'A body whose rules go beyond its schema: a header may name the item',
        security: TEST_TOKEN,
        request: { body: jsonBody(ITEM) },
        parseBody: (value, c) => {
          const named = { name: c.req.header('x-name'), ...(value as object) };
          const parsed = ITEM.safeParse(named);
          if (!parsed.success) throw validationFailed(parsed.error);
          return parsed.data;
        },
        responses: { 200: json('Named.', ITEM), ...errorResponses(422) },
      },
      (c) => c.json({ name: c.req.valid('json').name.toUpperCase() }),
    );
  const app = new Hono<TestApp>();
  app.use(async (c, next) => {
    c.set('config', { MAX_BODY_BYTES: 64 });
    await next();
  });
  app.onError(errorHandler(() => createLogger('error')));
  app.route('/', feature.app());
  return { app, feature };
}

const post = (body: string, type = 'application/json') => ({ method: 'POST', headers: { 'content-type': type }, body });
const codeOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe('a declared route', () => {
  it('hands the handler its path parameters and query parsed by the declared schemas', async () => {
    const res = await mounted().app.request('/items/7?verbose=yes');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: 7, verbose: 'yes' });
  });

  it('answers 404 for path parameters that do not parse: they name nothing', async () => {
    const res = await mounted().app.request('/items/seven');
    expect(res.status).toBe(404);
    expect(await codeOf(res)).toBe('not_found');
  });

  it('answers 422 with the field for a query that breaks its schema', async () => {
    const res = await mounted().app.request('/items/7?verbose=maybe');
    expect(res.status).toBe(422);
    expect((await res.json()) as object).toMatchObject({ error: { code: 'validation_failed', details: [{ path: 'verbose' }] } });
  });

  it('validates a JSON body in order: 415, 413, 400, then 422', async () => {
    const { app } = mounted();
    expect((await app.request('/items', post('{"name":"a"}', 'text/plain'))).status).toBe(415);
    expect((await app.request('/items', post(JSON.stringify({ name: 'x'.repeat(100) })))).status).toBe(413);
    const malformed = await app.request('/items', post('{"name":'));
    expect([malformed.status, await codeOf(malformed)]).toEqual([400, 'malformed_json']);
    const invalid = await app.request('/items', post('{"name":""}'));
    expect([invalid.status, await codeOf(invalid)]).toEqual([422, 'validation_failed']);
    const made = await app.request('/items', post('{"name":"a"}'));
    expect([made.status, await made.json()]).toEqual([201, { name: 'a' }]);
  });

  it('parses a body with the parser the declaration names, after the same body steps', async () => {
    const { app } = mounted();
    const signed = { authorization: 'Bearer ok' };
    const named = await app.request('/labels', { method: 'POST', headers: { 'content-type': 'application/json', 'x-name': 'tag', ...signed }, body: '{}' });
    expect([named.status, await named.json()]).toEqual([200, { name: 'TAG' }]);
    const unnamed = await app.request('/labels', { ...post('{}'), headers: { 'content-type': 'application/json', ...signed } });
    expect([unnamed.status, await codeOf(unnamed)]).toEqual([422, 'validation_failed']);
    expect((await app.request('/labels', { ...post('{}', 'text/plain'), headers: { 'content-type': 'text/plain', ...signed } })).status).toBe(415);
  });

  it('enforces the security it declares, before any validation: a stranger learns nothing of the schemas', async () => {
    const { app } = mounted();
    for (const body of ['{}', '{"name":', 'not json']) {
      const res = await app.request('/labels', post(body, 'text/plain'));
      expect([res.status, await codeOf(res)]).toEqual([401, 'unauthorized']);
    }
  });

  it('answers 405 with Allow for a declared path and another method, and leaves undeclared paths alone', async () => {
    const { app } = mounted();
    const res = await app.request('/items', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect((await app.request('/elsewhere')).status).toBe(404);
  });

  it('refuses a declaration made after the routes were mounted', () => {
    const { feature } = mounted();
    expect(() => feature.route({ method: 'get', path: '/late', responses: {} }, (c) => c.text('late'))).toThrow(/after the routes were mounted/);
  });

  it('is documented from its declaration: path, method, parameters, body and answers', () => {
    const doc = buildDocument({ title: 't', description: 'd', servers: [] }, [mounted().feature]);
    expect(Object.keys(doc.paths ?? {})).toEqual(['/items/{id}', '/items', '/labels']);
    const get = (doc.paths?.['/items/{id}'] as Record<string, { parameters?: { name: string }[]; responses: object }>).get!;
    expect(get.parameters?.map((p) => p.name)).toEqual(['id', 'verbose']);
    expect(Object.keys(get.responses)).toEqual(['200', '404', '422']);
    const made = (doc.paths?.['/items'] as Record<string, { requestBody?: { required?: boolean } }>).post!;
    expect(made.requestBody?.required).toBe(true);
    expect(Object.keys(doc.components?.securitySchemes ?? {})).toEqual(['testToken']);
  });
});
