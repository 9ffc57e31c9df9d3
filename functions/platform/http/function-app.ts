/**
 * A function's Hono app with the middleware every function runs, in the order that matters: the
 * request context (settings, services, access log), the Host allowlist, the listener split, the
 * request durations, the one error shape; then its API features mounted with /openapi.json and
 * /docs. The function's index.ts adds its pages and its sweep.
 */
import { Hono } from 'hono';
import type { z } from 'zod';
import type { LogLevel } from '../logger';
import { createLogger } from '../logger';
import { measureRequests } from '../metrics/request-durations';
import type { ApiRoutes } from '../openapi/api-routes';
import type { DocumentInfo, OpenApiDocument } from '../openapi/document';
import { mountApi } from '../openapi/mount-api';
import type { AllowedHost } from './allowed-hosts';
import { requireAllowedHost } from './allowed-hosts';
import { errorHandler, notFoundHandler } from './http-errors';
import { declaredPaths, servedByListener } from './listeners';
import { requestContext, type RequestVariables } from './request-context';

type FunctionSettings = { LOG_LEVEL: LogLevel; ALLOWED_HOSTS?: AllowedHost[]; HOST?: string; PUBLIC_ORIGIN?: string };

export interface FunctionAppOptions<E extends { Variables: RequestVariables<FunctionSettings> }> {
  /** The function's settings schema (its config.ts). */
  settings: z.ZodType<FunctionSettings>;
  /** Its name in logs. */
  service: string;
  /** What machines call: each feature's routes, declared with their schemas and document. */
  api: ApiRoutes<E>[];
  /** The path prefix of its pages for people, which alone the operator listener serves (with the documents). */
  pages: string;
  document: DocumentInfo;
}

export function functionApp<E extends { Variables: RequestVariables<FunctionSettings> }>(
  options: FunctionAppOptions<E>,
): { app: Hono<E>; document: () => OpenApiDocument } {
  const app = new Hono<E>();
  app.use(requestContext(options.settings, options.service));
  app.use(requireAllowedHost<E>());
  // With OPERATOR_PORT, each listener serves only its own paths (listeners.ts).
  app.use(servedByListener({ machine: declaredPaths(options.api), operator: [options.pages] }));
  app.use(measureRequests);
  app.onError(errorHandler((c) => c.var.logger ?? createLogger()));
  app.notFound(notFoundHandler);
  return { app, document: mountApi(app, options.document, options.api) };
}
