/**
 * The emitter's settings: the one statement of them. The worker validates its bindings with
 * this schema, the host checks the environment with it before workerd starts and passes exactly
 * these variables through, and `npm start` forwards them from `.dev.vars`. Adding a setting is
 * one entry here (and its row in docs/configuration.md).
 */
import { z } from 'zod';
import { OPERATOR_AREA_SETTINGS } from '../operator-area/operator-settings';
import { COMMON_SETTINGS } from '../platform/settings/common-settings';
import type { DatabaseBindings } from '../../db/connection';
import type { ServiceBindings } from '../platform/services';
import type { AssetBindings } from '../platform/http/assets';
import { databaseSettings, days, duration, flag, integer, MAX_BODY_BYTES, parseDuration, SECRET, type SettingBindings } from '../platform/settings/config';

/** The default retry schedule: three fast tries (1 s, 3 s, 9 s), then a slow durable one (about 45 h in all). */
export const DEFAULT_RETRY_SCHEDULE = '1s,3s,9s,1m,5m,30m,2h,6h,12h,24h';

const RETRY_SCHEDULE = z
  .string()
  .default(DEFAULT_RETRY_SCHEDULE)
  .transform((text, ctx) => {
    try {
      const delays = text.split(',').map(parseDuration);
      if (delays.length === 0 || delays.length > 50) throw new Error('must list 1 to 50 delays');
      return delays;
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `must be a comma-separated list of delays (${(err as Error).message})` });
      return z.NEVER;
    }
  });

export const EMITTER_CONFIG = z.object({
  /** The receiver's webhook endpoint. */
  OPS_WEBHOOK_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .refine((u) => !/\/\/[^/]*@/.test(u), { message: 'must not carry credentials in the URL' }),
  /** The receiver's WEBHOOK_SECRET: sent as X-Webhook-Secret and used to sign. */
  OPS_WEBHOOK_SECRET: SECRET,
  /** false: send only the Standard Webhooks signature, never the shared secret itself (the receiver then needs WEBHOOK_REQUIRE_SIGNATURE=true). */
  OPS_WEBHOOK_SEND_SECRET_HEADER: flag(true),
  /** false: accept and record as skipped, deliver nothing. */
  OPS_WEBHOOK_ENABLED: flag(true),
  OPS_WEBHOOK_TIMEOUT_MS: integer(5000, 100, 120_000),
  OPS_WEBHOOK_RETRY_SCHEDULE: RETRY_SCHEDULE,
  /** How many deliveries a sweep runs at once. */
  DELIVERY_CONCURRENCY: integer(16, 1, 256),
  /** While a backlog waits on its slow schedule, how often the oldest message is tried early. */
  PROBE_INTERVAL_MS: integer(30_000, 100, 3_600_000),
  /** Bearer token for /v1/* (always required; the host makes one beside the database when unset). */
  EMITTER_API_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16).optional()),
  /** Delivered and skipped messages (and their attempts) older than this are deleted by the sweep; dead ones are kept. */
  RETENTION_DAYS: days(90),
  /** How often the emitter asks the receiver which delivered events it has no record of, and sends those again; 0: never. */
  RECONCILE_INTERVAL: duration('10m', { orOff: true }),
  /** How far back reconciliation looks (never beyond RETENTION_DAYS, which keeps the messages). */
  RECONCILE_WINDOW: duration('7d', { orOff: true }),
  /** Largest body Ops accepts (its MAX_BODY_BYTES): an event whose delivered body is larger is refused with 413. */
  MAX_BODY_BYTES,
  ...COMMON_SETTINGS,
  ...OPERATOR_AREA_SETTINGS,
  ...databaseSettings('file:.data/emitter.db'),
});

export type EmitterConfig = z.infer<typeof EMITTER_CONFIG>;

/** What workerd (or Miniflare) hands the emitter: its settings as text, the database binding, and in tests a fake Ops. */
export type EmitterBindings = SettingBindings<typeof EMITTER_CONFIG> &
  DatabaseBindings &
  AssetBindings &
  ServiceBindings;
