/**
 * The settings every function has beside its own: the operators and their sessions, the Host
 * names and proxies it answers through, /metrics' token, the host's sweep token, the log level.
 * Each function's config.ts spreads them into its schema.
 */
import { ALLOWED_HOSTS } from './allowed-hosts';
import { LOG_LEVEL, METRICS_TOKEN, OPERATOR_SESSION_IDLE, OPERATOR_SESSION_MAX, OPERATOR_USERS, optionalText, SWEEP_TOKEN } from './config';
import { PUBLIC_ORIGIN, TRUSTED_PROXIES } from './proxy-settings';

export const COMMON_SETTINGS = {
  SWEEP_TOKEN,
  METRICS_TOKEN,
  OPERATOR_USERS,
  OPERATOR_SESSION_IDLE,
  OPERATOR_SESSION_MAX,
  /** Host names (host[:port]) this function answers for; others get 421 (DNS rebinding). */
  ALLOWED_HOSTS,
  /** The origin browsers use behind a reverse proxy (e.g. https://ops-desk.lan): same-origin checks, Secure cookies, an allowed Host. */
  PUBLIC_ORIGIN,
  /** Proxies (addresses or IPv4 CIDRs) whose X-Forwarded-For is believed. */
  TRUSTED_PROXIES,
  /** The address the host listens on (its HOST): allowed as a Host by default. */
  HOST: optionalText,
  LOG_LEVEL,
};
