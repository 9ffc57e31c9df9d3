/**
 * The receiver's settings: the one statement of them. The worker validates its bindings with
 * this schema, the host checks the environment with it before workerd starts and passes exactly
 * these variables through, and `npm start` forwards them from `.dev.vars`. Adding a setting is
 * one entry here (and its row in the README's configuration table).
 */
import { z } from 'zod';
import { ALLOWED_HOSTS } from '../shared/allowed-hosts';
import { PUBLIC_ORIGIN, TRUSTED_PROXIES } from '../shared/proxy-settings';
import type { DatabaseBindings } from '../../db/connection';
import type { AssetBindings } from '../shared/assets';
import { databaseSettings, optionalText, optionalDays, flag, LOG_LEVEL, MAX_BODY_BYTES, METRICS_TOKEN, OPERATOR_SESSION_IDLE, OPERATOR_SESSION_MAX, OPERATOR_USERS, optionalSecret, SECRET, SWEEP_TOKEN, type SettingBindings } from '../shared/config';

export const RECEIVER_CONFIG = z.object({
  /** Shared secret the emitter sends (`X-Webhook-Secret`) and signs with. */
  WEBHOOK_SECRET: SECRET,
  /** The secret being rotated out, still accepted. */
  WEBHOOK_SECRET_PREVIOUS: optionalSecret,
  /** Accept deliveries only with a valid Standard Webhooks signature. */
  WEBHOOK_REQUIRE_SIGNATURE: flag(false),
  /** Largest accepted body (413 past it); the emitter's MAX_BODY_BYTES should be the same. */
  MAX_BODY_BYTES,
  METRICS_TOKEN,
  /** Bearer token of the read API (/api/v1/tickets); unset, that API answers 404. */
  TICKETS_API_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(32, 'must be at least 32 characters').optional()),
  OPERATOR_USERS,
  OPERATOR_SESSION_IDLE,
  OPERATOR_SESSION_MAX,
  /** When set, the raw data of events on tickets closed and older than this is removed (type and times stay). */
  EVENT_RETENTION_DAYS: optionalDays(),
  SWEEP_TOKEN,
  /** Host names (host[:port]) this function answers for; others get 421 (DNS rebinding). */
  ALLOWED_HOSTS,
  /** The origin browsers use behind a reverse proxy (e.g. https://ops-desk.lan): same-origin checks, Secure cookies, an allowed Host. */
  PUBLIC_ORIGIN,
  /** Proxies (addresses or IPv4 CIDRs) whose X-Forwarded-For is believed. */
  TRUSTED_PROXIES,
  /** The address the host listens on (its HOST): allowed as a Host by default. */
  HOST: optionalText,
  LOG_LEVEL,
  ...databaseSettings('file:.data/ops.db'),
});

export type ReceiverConfig = z.infer<typeof RECEIVER_CONFIG>;

/** What workerd (or Miniflare) hands the receiver: its settings as text, the database binding, and Swagger UI's files. */
export type ReceiverBindings = SettingBindings<typeof RECEIVER_CONFIG> & DatabaseBindings & AssetBindings;
