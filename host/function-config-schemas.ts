/**
 * Each function's settings schema, from its own config.ts: the one statement of its settings. The
 * preflight validates the environment with it and derives the variables passed to workerd;
 * `npm start` and the backup scripts read it too. (The long-running host does not load zod.)
 */
import type { z } from 'zod';
import { FUNCTION_SETTINGS, type DatabaseSettings } from '../functions/host-contract/settings';

export type { DatabaseSettings } from '../functions/host-contract/settings';

/** The settings schema of function `name`. */
export function settingsSchema(name: string): z.ZodObject & z.ZodType<DatabaseSettings> {
  const schema = FUNCTION_SETTINGS[name];
  if (!schema) throw new Error(`no settings for function ${JSON.stringify(name)}`);
  return schema;
}

/** The names of a function's settings: the variables the host passes into workerd. */
export function settingNames(name: string): string[] {
  return Object.keys(settingsSchema(name).shape);
}
