/**
 * Configuration read from the environment (workerd bindings or process.env) and validated
 * with zod. A wrong or missing value fails with a message that names the variable and never
 * echoes its value, so a secret cannot leak through a start-up error.
 */
import { z } from 'zod';

/** Minimum length of a shared secret, in characters. */
export const MIN_SECRET_LENGTH = 32;

/** Values that were published as examples and must never guard a real deployment. */
const PLACEHOLDER_SECRETS = new Set(['ligbox-ops-dev-secret', 'change-me', 'changeme', 'secret']);

const optionalText = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());

/** A shared secret: long enough, and not a known placeholder. */
export const SECRET = z
  .string({ error: 'is required' })
  .min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters`)
  .refine((s) => !PLACEHOLDER_SECRETS.has(s.toLowerCase()) && !/change[-_]?me/i.test(s), {
    message: 'is a placeholder; generate one with `openssl rand -base64 32`',
  });

const optionalSecret = z.preprocess((v) => (v === '' ? undefined : v), SECRET.optional());

/** "true"/"false"/"1"/"0"/"yes"/"no" as a boolean, with a default. */
export function flag(defaultValue: boolean) {
  return z
    .preprocess(
      (v) => (v === undefined || v === '' ? defaultValue : v),
      z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])]),
    )
    .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');
}

/** A whole number from a string, with bounds and a default. */
export function integer(defaultValue: number, min: number, max: number) {
  return z.preprocess(
    (v) => (v === undefined || v === '' ? defaultValue : v),
    z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(min).max(max),
  );
}

export const LOG_LEVEL = z.enum(['debug', 'info', 'warn', 'error']).default('info');

/** Where the worker's database lives; `file:` URLs are served to the worker by the serve process. */
export const DATABASE = {
  DATABASE_URL: z
    .string()
    .default('file:.data/ops.db')
    .refine((u) => /^(file:|https?:\/\/|libsql:\/\/)/.test(u), {
      message: 'must start with file:, http://, https:// or libsql://',
    }),
  DATABASE_AUTH_TOKEN: optionalText,
};

export const RECEIVER_CONFIG = z.object({
  WEBHOOK_SECRET: SECRET,
  WEBHOOK_SECRET_PREVIOUS: optionalSecret,
  WEBHOOK_REQUIRE_SIGNATURE: flag(false),
  LOG_LEVEL,
  ...DATABASE,
});

export type ReceiverConfig = z.infer<typeof RECEIVER_CONFIG>;

/** Thrown when the environment does not satisfy a config schema. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Validates `env` against `schema`. Throws {@link ConfigError} listing each bad variable by
 * name with the rule it breaks (values are never included).
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Record<string, unknown>): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'} ${issue.message}`);
  throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
}

/**
 * Validates once per environment object: workerd hands every request the same `env`, so the
 * parse cost is paid on the first request only.
 */
export function configCache<S extends z.ZodType>(schema: S): (env: object) => z.infer<S> {
  const cache = new WeakMap<object, z.infer<S>>();
  return function configFor(env) {
    let config = cache.get(env);
    if (config === undefined) {
      config = loadConfig(schema, env as Record<string, unknown>);
      cache.set(env, config);
    }
    return config;
  };
}
