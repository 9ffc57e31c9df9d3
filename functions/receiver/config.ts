/**
 * The receiver's settings: the one statement of them. The worker validates its bindings with
 * this schema, the host checks the environment with it before workerd starts and passes exactly
 * these variables through, and `npm start` forwards them from `.dev.vars`. Adding a setting is
 * one entry here (and its row in docs/configuration.md).
 */
import { z } from 'zod';
import { OPERATOR_AREA_SETTINGS } from '../operator-area/operator-settings';
import { COMMON_SETTINGS } from '../platform/settings/common-settings';
import { checkNotifySettings, NOTIFY_SETTINGS } from './notify-outbox/notify-settings';
import type { DatabaseBindings, FetchBinding } from '../../db/connection';
import type { ServiceBindings } from '../platform/services';
import type { AssetBindings } from '../platform/http/assets';
import { databaseSettings, optionalDays, flag, MAX_BODY_BYTES, optionalSecret, SECRET, type SettingBindings } from '../platform/settings/config';

export const RECEIVER_CONFIG = z.object({
  /** Shared secret the emitter sends (`X-Webhook-Secret`) and signs with. */
  WEBHOOK_SECRET: SECRET,
  /** The secret being rotated out, still accepted. */
  WEBHOOK_SECRET_PREVIOUS: optionalSecret,
  /** Accept deliveries only with a valid Standard Webhooks signature. */
  WEBHOOK_REQUIRE_SIGNATURE: flag(false),
  /** Largest accepted body (413 past it); the emitter's MAX_BODY_BYTES should be the same. */
  MAX_BODY_BYTES,
  /** Bearer token of the read API (/api/v1/tickets); unset, that API answers 404. */
  TICKETS_API_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(32, 'must be at least 32 characters').optional()),
  /** When set, the raw data of events on tickets closed and older than this is removed (type and times stay). */
  EVENT_RETENTION_DAYS: optionalDays(),
  ...NOTIFY_SETTINGS,
  ...COMMON_SETTINGS,
  ...OPERATOR_AREA_SETTINGS,
  ...databaseSettings('file:.data/ops.db'),
}).superRefine(checkNotifySettings);

export type ReceiverConfig = z.infer<typeof RECEIVER_CONFIG>;

/** What workerd (or Miniflare) hands the receiver: its settings as text, the database binding, and Swagger UI's files. */
export type ReceiverBindings = SettingBindings<typeof RECEIVER_CONFIG> &
  DatabaseBindings &
  AssetBindings &
  ServiceBindings & {
    /** The host's notification relay: it submits mail (SMTP) and posts chat messages to exactly the configured servers. */
    NOTIFY?: FetchBinding;
  };
