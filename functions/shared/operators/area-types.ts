/** What the operator area's pieces share: its settings, its Hono environment, its options, and the same-origin check. */
import type { Context } from 'hono';
import type { DatabaseBindings } from '../../../db/connection';
import type { AssetBindings } from '../assets';
import type { TrustedProxy } from '../proxy-settings';
import type { RequestVariables } from '../request-context';
import type { OperatorCredential } from './password';

export interface OperatorSettings {
  OPERATOR_USERS: OperatorCredential[];
  OPERATOR_SESSION_IDLE: number;
  OPERATOR_SESSION_MAX: number;
  PUBLIC_ORIGIN?: string;
  TRUSTED_PROXIES: TrustedProxy[];
}

export interface OperatorEnv {
  Bindings: DatabaseBindings & AssetBindings;
  Variables: RequestVariables<OperatorSettings & { LOG_LEVEL: 'debug' | 'info' | 'warn' | 'error' }> & { operator: string };
}

export interface AreaOptions {
  base: '/desk' | '/console';
  product: string;
  cookie: string;
  /** Ids of the elements whose htmx polling refreshes a page by itself: such requests keep no session alive. */
  selfRefreshing?: string[];
}

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
