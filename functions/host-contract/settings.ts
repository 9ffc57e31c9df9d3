/**
 * What the host may know of the functions' settings: each function's schema (its config.ts, the
 * one statement of its settings), how they are loaded and refused, and the duration format the
 * host's own settings share. Loads zod: the preflight, the checks and the scripts use it, the
 * long-running host does not.
 */
import type { z } from 'zod';
import { EMITTER_CONFIG } from '../emitter/config';
import { RECEIVER_CONFIG } from '../receiver/config';

export { ConfigError, loadConfig, parseDuration } from '../platform/settings/config';

/** The settings every function has: where its database is. */
export type DatabaseSettings = { DATABASE_URL: string; DATABASE_AUTH_TOKEN?: string | undefined };

/** Each function's settings schema, by the name the host serves it under. */
export const FUNCTION_SETTINGS: Record<string, z.ZodObject & z.ZodType<DatabaseSettings>> = {
  receiver: RECEIVER_CONFIG,
  emitter: EMITTER_CONFIG,
};
