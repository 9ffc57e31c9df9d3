/** Types of the receiver function: its bindings and the Hono app environment. */
import type { ReceiverConfig } from '../shared/config';
import type { DatabaseEnv } from '../shared/database';
import type { RequestVariables } from '../shared/request-context';

/** Bindings and variables workerd (or Miniflare) hands the receiver. */
export interface ReceiverBindings extends DatabaseEnv {
  WEBHOOK_SECRET: string;
  WEBHOOK_SECRET_PREVIOUS?: string;
  WEBHOOK_REQUIRE_SIGNATURE?: string;
  LOG_LEVEL?: string;
}

export interface ReceiverApp {
  Bindings: ReceiverBindings;
  Variables: RequestVariables<ReceiverConfig>;
}
