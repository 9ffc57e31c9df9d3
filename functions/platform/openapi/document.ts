/**
 * A function's OpenAPI 3.1 document, generated from the routes its features declare (so it
 * cannot drift from what is served), and what every declaration shares: the error body and the
 * answers in the one error shape.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { VERSION } from '../version';
import type { ApiRoutes } from './api-routes';

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

/** A JSON answer of `schema`. */
export function json(description: string, schema: z.ZodType) {
  return { description, content: { 'application/json': { schema } } };
}

/** A required JSON request body of `schema`. */
export function jsonBody<S extends z.ZodType>(schema: S) {
  return { required: true, content: { 'application/json': { schema } } } as const;
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

/** What a document says of its function, beside the routes. */
export interface DocumentInfo {
  title: string;
  description: string;
  servers: { url: string; description: string }[];
}

/** The OpenAPI 3.1 document of the routes of `features`. */
export function buildDocument(info: DocumentInfo, features: ApiRoutes<any>[]): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  const named = new Set<string>();
  for (const feature of features) {
    for (const { type, name, value } of feature.components) {
      // Two features may rely on one scheme (intake and receipts on the webhook credentials): it is one component.
      if (named.has(`${type}/${name}`)) continue;
      named.add(`${type}/${name}`);
      registry.registerComponent(type, name, value as never);
    }
    for (const operation of feature.operations) registry.registerPath(operation);
    for (const webhook of feature.webhooks) registry.registerWebhook(webhook);
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: info.title, version: VERSION, description: info.description },
    servers: info.servers,
  });
}
