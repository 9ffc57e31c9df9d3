/**
 * What both functions' OpenAPI 3.1 documents share: the error body, the health report's storage
 * part, the metrics endpoint, and a document built from a registry of the function's routes.
 * The documents are generated from the zod schemas the code validates with (zod-to-openapi), so
 * they cannot drift from it; the tests check the rest (paths exist, answers match).
 */
import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { STORAGE_HEALTH } from '../../db/storage-report';
import { VERSION } from './version';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

export const ERROR_BODY = z.object({
  error: z.object({
    code: z.string().describe('Stable, machine-readable: unauthorized, validation_failed, payload_too_large, …'),
    message: z.string().describe('For people; never echoes a secret.'),
    details: z
      .union([z.array(z.object({ path: z.string(), message: z.string() })), z.record(z.string(), z.unknown())])
      .optional()
      .describe('422: every field that failed, by dotted path. /healthz 503: what failed (e.g. `storage`).'),
  }),
});

const STORAGE = z.union([
  STORAGE_HEALTH,
  z.literal('remote').describe('A libSQL server keeps the data; its storage is its own.'),
  z.literal('not_reported'),
]);

/** The storage part of /healthz. */
export const STORAGE_REPORT = STORAGE;

/** A JSON answer of `schema`. */
export function json(description: string, schema: z.ZodType) {
  return { description, content: { 'application/json': { schema } } };
}

const ERROR_MEANINGS: Record<number, string> = {
  400: 'Malformed JSON (`malformed_json`), not UTF-8 (`invalid_utf8`), or a body that broke off (`incomplete_body`).',
  401: 'Missing or wrong credentials (`unauthorized`).',
  404: 'No such route or resource (`not_found`).',
  405: 'Wrong method for this path (`method_not_allowed`); `Allow` lists the right ones.',
  409: 'The `webhook-id` already names a different event (`webhook_id_conflict`); nothing was recorded.',
  413: 'Body over MAX_BODY_BYTES (`payload_too_large`).',
  415: 'Not `application/json` in UTF-8 (`unsupported_media_type`).',
  422: 'A field breaks the schema (`validation_failed`); `details` lists every one.',
  503: 'The database is unavailable (`database_unavailable`, `storage_unavailable`); retry after `Retry-After` seconds.',
};

/** Error answers for `statuses`, each in the one error shape (503 with its Retry-After header). */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        ...json(ERROR_MEANINGS[status] ?? 'Error.', ERROR_BODY),
        ...(status === 503 ? { headers: { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' as const } } } } : {}),
      },
    ]),
  );
}

/** Registers what every function has: /healthz (with `health` as its answer), /metrics, and the documents themselves. */
export function registerCommonPaths(registry: OpenAPIRegistry, health: z.ZodType): void {
  registry.registerPath({
    method: 'get',
    path: '/healthz',
    summary: 'Health: a database round trip and the storage under it',
    tags: ['operations'],
    responses: { 200: json('Healthy.', health), ...errorResponses(503) },
  });
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics (text format 0.0.4)',
    tags: ['operations'],
    security: [{}, { metricsToken: [] }],
    responses: {
      200: { description: 'The exposition.', content: { 'text/plain; version=0.0.4': { schema: z.string() } } },
      ...errorResponses(401),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    tags: ['operations'],
    responses: { 200: json('The OpenAPI 3.1 document.', z.object({ openapi: z.string() }).loose()) },
  });
  registry.registerPath({
    method: 'get',
    path: '/docs',
    summary: 'This document, for people (Swagger UI)',
    tags: ['operations'],
    responses: { 200: { description: 'An HTML page.', content: { 'text/html': { schema: z.string() } } } },
  });
  registry.registerComponent('securitySchemes', 'metricsToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'Only when METRICS_TOKEN is set.',
  });
}

/** A fresh registry. */
export function newRegistry(): OpenAPIRegistry {
  return new OpenAPIRegistry();
}

/** The OpenAPI 3.1 document of `registry`. */
export function buildDocument(registry: OpenAPIRegistry, title: string, description: string, servers: { url: string; description: string }[]): OpenApiDocument {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title, version: VERSION, description },
    servers,
  });
}

export type { RouteConfig };
