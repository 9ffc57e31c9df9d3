/**
 * A feature's API routes, each declared once: method, path, schemas, answers and description in
 * one object (the OpenAPI operation), with its handler beside it. The declaration is what runs:
 * the path parameters, query and JSON body are validated by the schemas it names before the
 * handler sees them (`c.req.valid(...)`), the declared paths answer 405 for other methods, and
 * the function's document is generated from the declarations of the features it mounts.
 */
import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { Hono, type Context, type Env, type Handler, type MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { apiError, methodNotAllowed } from '../http/http-errors';
import { assertJsonContentType, parseJson, readBodyText, validationFailed } from '../http/json-request';
import { securityRequirements, type SecurityScheme } from './security-scheme';

type Method = 'get' | 'post';

/** One route as the document describes it, with what the router needs beyond OpenAPI. */
export interface ApiRoute<E extends Env = Env> extends Omit<RouteConfig, 'security'> {
  method: Method;
  /** The whole path, in OpenAPI's form (`/v1/deliveries/{id}`). */
  path: string;
  /** Who may call it: documented and enforced from this one declaration, before validation. */
  security?: SecurityScheme<E>;
  /** Runs before everything, the security included, to observe the answer (the intake's count of refusals); never to authenticate. */
  observe?: MiddlewareHandler<E>[];
  /**
   * How a JSON body whose rules go beyond its declared schema is parsed (the event catalog: a
   * header may supply a field): answers the value or throws the 422. Without it, the declared
   * schema parses the body.
   */
  parseBody?: (value: unknown, c: Context<E>) => unknown;
}

/** An OpenAPI component a feature's routes refer to (a security scheme). */
interface Component {
  type: Parameters<import('@asteasolutions/zod-to-openapi').OpenAPIRegistry['registerComponent']>[0];
  name: string;
  value: object;
}

type Output<S> = S extends z.ZodType ? z.output<S> : never;
type JsonSchemaOf<R extends ApiRoute> = R['request'] extends { body?: { content: { 'application/json': { schema: infer B } } } } ? B : never;

/** What `c.req.valid(target)` gives a handler of route `R`. */
export type ValidInput<R extends ApiRoute<any>> = {
  out: {
    param: R['request'] extends { params?: infer P } ? Output<P> : never;
    query: R['request'] extends { query?: infer Q } ? Output<Q> : never;
    json: R extends { parseBody: (...args: never[]) => infer T } ? T : Output<JsonSchemaOf<R>>;
  };
};

/** What body validation needs of a function's variables: its size limit, and a body a middleware may have read. */
interface BodyEnv {
  Variables: { config: { MAX_BODY_BYTES: number }; rawBody?: string };
}

/** `{id}` → `:id`. */
function honoPath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ':$1');
}

/** Path parameters that do not parse name nothing: 404, as for any missing resource. */
function paramValidator(schema: z.ZodType): MiddlewareHandler {
  return async function validateParams(c, next) {
    const parsed = schema.safeParse(c.req.param());
    if (!parsed.success) throw apiError(404, 'not_found', `nothing at ${c.req.path}`);
    c.req.addValidatedData('param', parsed.data as object);
    await next();
  };
}

/** A query that breaks its schema: 422 with every field. */
function queryValidator(schema: z.ZodType): MiddlewareHandler {
  return async function validateQuery(c, next) {
    const parsed = schema.safeParse(c.req.query());
    if (!parsed.success) throw validationFailed(parsed.error);
    c.req.addValidatedData('query', parsed.data as object);
    await next();
  };
}

/**
 * The JSON body steps: the Content-Type (415) and the body under the size limit (413, 400), unless
 * a middleware already read it (the receiver's signature check); then JSON (400), then `parse`
 * (422).
 */
function jsonValidator(parse: (value: unknown, c: Context) => unknown): MiddlewareHandler<BodyEnv> {
  return async function validateJsonBody(c, next) {
    let text = c.var.rawBody;
    if (text === undefined) {
      assertJsonContentType(c.req.raw);
      text = await readBodyText(c.req.raw, c.var.config.MAX_BODY_BYTES);
    }
    c.req.addValidatedData('json', parse(parseJson(text), c) as object);
    await next();
  };
}

/** A parser by `schema`, with the 422 listing every field. */
function bySchema(schema: z.ZodType) {
  return function parseBySchema(value: unknown): unknown {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw validationFailed(parsed.error);
    return parsed.data;
  };
}

/** The validators route `route` declares, in the order the answers are documented: path, query, body. */
function validatorsOf<E extends Env>(route: ApiRoute<E>): MiddlewareHandler[] {
  const request = route.request;
  const media = request?.body?.content['application/json'];
  const json = media && 'schema' in media ? (media.schema as z.ZodType) : undefined;
  const parseBody = route.parseBody as ((value: unknown, c: Context) => unknown) | undefined;
  return [
    ...(request?.params ? [paramValidator(request.params)] : []),
    ...(request?.query ? [queryValidator(request.query)] : []),
    ...(json ? [jsonValidator(parseBody ?? bySchema(json)) as MiddlewareHandler] : []),
  ];
}

/** The document's view of a route: the declaration without what only the router reads, its security as requirements. */
function operationOf<E extends Env>({ security, observe: _o, parseBody: _p, ...operation }: ApiRoute<E>): RouteConfig {
  return security ? { ...operation, security: securityRequirements(security.schemes, security.optional) } : operation;
}

/** The routes of one feature, declared with {@link ApiRoutes.route}; mount them with {@link ApiRoutes.app}. */
export class ApiRoutes<E extends Env> {
  /** Private: a route is served only as it is declared (its security included). */
  readonly #hono = new Hono<E>();
  readonly operations: RouteConfig[] = [];
  readonly components: Component[] = [];
  readonly webhooks: RouteConfig[] = [];
  readonly #methods = new Map<string, Set<string>>();
  #sealed = false;

  /** Declares and serves one route. */
  route<R extends ApiRoute<E>>(route: R, handler: Handler<E, string, ValidInput<R>>): this {
    if (this.#sealed) throw new Error(`${route.method.toUpperCase()} ${route.path}: declared after the routes were mounted`);
    const path = honoPath(route.path);
    // The validators read only what every function's variables have (its config, a body already read).
    const validators = validatorsOf(route) as MiddlewareHandler<E>[];
    const security = route.security ? [route.security.enforce] : [];
    this.#hono.on([route.method.toUpperCase()], [path], ...(route.observe ?? []), ...security, ...validators, handler as Handler<E>);
    for (const { name, value } of route.security?.schemes ?? []) {
      if (!this.components.some((c) => c.type === 'securitySchemes' && c.name === name)) this.components.push({ type: 'securitySchemes', name, value });
    }
    this.operations.push(operationOf(route));
    const methods = this.#methods.get(path) ?? new Set<string>();
    this.#methods.set(path, methods.add(route.method.toUpperCase()));
    return this;
  }

  /** A GET this feature serves but does not document (the files of the reference page). */
  undocumented(path: string, handler: Handler<E>): this {
    if (this.#sealed) throw new Error(`GET ${path}: declared after the routes were mounted`);
    this.#hono.get(path, handler);
    return this;
  }

  /** A call this function makes (OpenAPI `webhooks`): documented with the feature that makes it. */
  webhook(operation: RouteConfig): this {
    this.webhooks.push(operation);
    return this;
  }

  /** The Hono app to mount at `/`: the routes, then 405 for their paths' other methods (which must come last). */
  app(): Hono<E> {
    if (!this.#sealed) {
      this.#sealed = true;
      for (const [path, methods] of this.#methods) this.#hono.all(path, methodNotAllowed([...methods]));
    }
    return this.#hono;
  }
}
