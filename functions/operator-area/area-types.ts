/** What the operator area's pieces share: its settings, its Hono environment and its options. */
import type { DatabaseBindings } from '../../db/connection';
import type { AssetBindings } from '../platform/http/assets';
import type { TrustedProxy } from '../platform/http/proxy-settings';
import type { RequestVariables } from '../platform/http/request-context';
import type { OperatorCredential } from './password';

export interface OperatorSettings {
  OPERATOR_USERS: OperatorCredential[];
  OPERATOR_SESSION_IDLE: number;
  OPERATOR_SESSION_MAX: number;
  SIGN_IN_CHECKS_PER_SECOND: number;
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
  /** Paths (under `base`) of event streams that keep pages live: holding one open keeps no session alive either. */
  streams?: string[];
}
