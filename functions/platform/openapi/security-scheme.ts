/**
 * An authentication requirement as a route declares it (`security:` in {@link ApiRoutes.route}):
 * the OpenAPI security schemes that satisfy it (any one of them), and the middleware that
 * enforces it. The declaration is what runs: a route is authenticated exactly as its document
 * says, before any of its validators (a stranger learns nothing of the schemas).
 */
import type { Env, MiddlewareHandler } from 'hono';

export interface SecurityScheme<E extends Env> {
  /** The OpenAPI security schemes (components) that satisfy it, any one of them. */
  schemes: { name: string; value: object }[];
  /** Open without a credential too (the document says `{}` beside the schemes): the metrics token, only when set. */
  optional?: boolean;
  /** Enforces it; runs first on every route that declares it. */
  enforce: MiddlewareHandler<E>;
}

/** The document's `security` of a requirement: one entry per scheme, any of which satisfies it. */
export function securityRequirements(schemes: SecurityScheme<Env>['schemes'], optional = false): Record<string, string[]>[] {
  return [...(optional ? [{}] : []), ...schemes.map(({ name }) => ({ [name]: [] }))];
}
