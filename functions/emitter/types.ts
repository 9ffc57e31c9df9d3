/** Types of the emitter function: its bindings and the Hono app environment. */
import type { EmitterConfig } from '../shared/config';
import type { DatabaseEnv } from '../shared/database';
import type { RequestVariables } from '../shared/request-context';

/** Bindings workerd (or Miniflare) hands the emitter. */
export interface EmitterBindings extends DatabaseEnv {
  OPS_WEBHOOK_URL: string;
  OPS_WEBHOOK_SECRET: string;
  OPS_WEBHOOK_ENABLED?: string;
  OPS_WEBHOOK_TIMEOUT_MS?: string;
  OPS_WEBHOOK_RETRY_SCHEDULE?: string;
  DELIVERY_CONCURRENCY?: string;
  PROBE_INTERVAL_MS?: string;
  EMITTER_API_TOKEN?: string;
  EMITTER_SWEEP_TOKEN?: string;
  LOG_LEVEL?: string;
  /** Outbound HTTP for deliveries; defaults to the global fetch (tests bind a fake Ops here). */
  OPS?: Fetcher;
}

export interface EmitterApp {
  Bindings: EmitterBindings;
  Variables: RequestVariables<EmitterConfig>;
}
