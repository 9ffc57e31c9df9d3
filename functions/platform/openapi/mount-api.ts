/** Mounting a function's API: its features' routes, and the documents generated from them. */
import type { Env, Hono } from 'hono';
import { apiDocs } from './api-docs';
import type { ApiRoutes } from './api-routes';
import { buildDocument, type DocumentInfo, type OpenApiDocument } from './document';

/**
 * Mounts the API features on `app`, with /openapi.json and /docs for the document generated
 * from them; answers that document (built once per process).
 */
export function mountApi<E extends Env>(app: Hono<E>, info: DocumentInfo, features: ApiRoutes<E>[]): () => OpenApiDocument {
  let document: OpenApiDocument | undefined;
  // Built at the first request for it (or the first caller), when `docs` below is declared.
  const built = (): OpenApiDocument => (document ??= buildDocument(info, [...features, docs]));
  const docs = apiDocs(built);
  for (const feature of [...features, docs]) app.route('/', feature.app() as unknown as Hono<E>);
  return built;
}
