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

export const optionalText = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());

/** Bytes of key in a `whsec_` secret, or -1 when its base64 does not decode. */
function whsecKeyBytes(secret: string): number {
  try {
    return atob(secret.slice('whsec_'.length)).length;
  } catch {
    return -1;
  }
}

/** A shared secret: long enough, not a known placeholder, and a valid key if in `whsec_` form. */
export const SECRET = z
  .string({ error: 'is required' })
  .min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters`)
  .refine((s) => !PLACEHOLDER_SECRETS.has(s.toLowerCase()) && !/change[-_]?me/i.test(s), {
    message: 'is a placeholder; generate one with `openssl rand -base64 32`',
  })
  .refine((s) => !s.startsWith('whsec_') || whsecKeyBytes(s) >= 24, {
    message: 'starts with whsec_ but is not base64 of at least 24 bytes (the Standard Webhooks form)',
  });

export const optionalSecret = z.preprocess((v) => (v === '' ? undefined : v), SECRET.optional());

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
    // The schema-wide message is for a value that is not a number at all; a number out of range says so.
    z.coerce
      .number({ error: (issue) => (issue.code === 'invalid_type' ? 'must be a number' : undefined) })
      .int('must be a whole number')
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`),
  );
}

export const LOG_LEVEL = z.enum(['debug', 'info', 'warn', 'error']).default('info');

/**
 * MAX_BODY_BYTES: the largest webhook body, in bytes. The receiver refuses larger ones (413); the
 * emitter refuses at acceptance an event whose delivered body would be larger, so it never
 * promises (202) what Ops would refuse. Both default to 64 KiB; keep them equal.
 */
export const MAX_BODY_BYTES = integer(64 * 1024, 1024, 16 * 1024 * 1024);

/** A duration setting such as `12h` or `7d`, in milliseconds, with a default; with `orOff`, `0` means off (0). */
export function duration(defaultValue: string, { orOff = false } = {}) {
  return z
    .string()
    .default(defaultValue)
    .transform((text, ctx) => {
      if (orOff && text.trim() === '0') return 0;
      try {
        return parseDuration(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    });
}

/** SWEEP_TOKEN: the per-start token with which the host triggers a function's sweep (set by the host, not by hand). */
export const SWEEP_TOKEN = optionalText;

/** METRICS_TOKEN: when set, GET /metrics requires it as a bearer token (the figures are counts, nothing personal). */
export const METRICS_TOKEN = z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16).optional());

/**
 * Where a worker's database lives (`defaultUrl` when unset); `file:` URLs are served to the
 * worker by the host, `http(s)://` and `libsql://` name a libSQL server.
 */
export function databaseSettings(defaultUrl: string) {
  return {
    DATABASE_URL: z
      .string()
      .default(defaultUrl)
      .refine((u) => /^(file:|https?:\/\/|libsql:\/\/)/.test(u), {
        message: 'must start with file:, http://, https:// or libsql://',
      }),
    DATABASE_AUTH_TOKEN: optionalText,
  };
}

/** The text bindings workerd hands a worker for a settings schema: every setting, as text, maybe unset. */
export type SettingBindings<S extends z.ZodObject> = { [K in keyof S['shape']]?: string };

/** Thrown when the environment does not satisfy a config schema. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  /** One line per bad variable: its name and the rule it breaks. */
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

/**
 * Validates `env` against `schema`. Throws {@link ConfigError} listing each bad variable by
 * name with the rule it breaks (values are never included).
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Record<string, unknown>): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'} ${issue.message}`);
  throw new ConfigError(lines);
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

const DAYS = z.coerce.number({ error: 'must be a number of days' }).positive().max(36_500);

/** A number of days (fractions allowed), with a default. */
export function days(defaultValue: number) {
  return z.preprocess((v) => (v === undefined || v === '' ? defaultValue : v), DAYS);
}

/** A number of days (fractions allowed), or unset. */
export function optionalDays() {
  return z.preprocess((v) => (v === '' ? undefined : v), DAYS.optional());
}

/** A duration such as `500ms`, `9s`, `5m`, `2h`, in milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration like 500ms, 9s, 5m, 2h`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Math.round(Number(match[1]) * unit);
}
