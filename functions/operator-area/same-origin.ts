/**
 * The same-origin check of the operator area's forms: a cross-site POST (sign-in, sign-out, a
 * ticket's change) is refused, so a page elsewhere cannot act with a signed-in person's cookie.
 */
import type { Context } from 'hono';
import type { OperatorSettings } from './area-types';

/** The origin browsers use: PUBLIC_ORIGIN behind a proxy, else the request's own. */
export function ownOrigin(c: Context): string {
  return (c.var as { config: OperatorSettings }).config.PUBLIC_ORIGIN ?? new URL(c.req.url).origin;
}

/** True when the request came from this origin (Origin, else Referer); a cross-site POST is refused. */
export function sameOrigin(c: Context): boolean {
  const own = ownOrigin(c);
  const origin = c.req.header('origin');
  if (origin !== undefined) return origin === own;
  const referer = c.req.header('referer');
  try {
    return referer !== undefined && new URL(referer).origin === own;
  } catch {
    return false;
  }
}
