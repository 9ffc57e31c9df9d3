/**
 * The settings every function has beside its own: the Host
 * names and proxies it answers through, /metrics' token, the host's sweep token, the log level.
 * Each function's config.ts spreads them into its schema (and the operator area's own).
 */
import { ALLOWED_HOSTS } from '../http/allowed-hosts';
import { LOG_LEVEL, METRICS_TOKEN, optionalText, SWEEP_TOKEN } from './config';
import { PUBLIC_ORIGIN, TRUSTED_PROXIES } from '../http/proxy-settings';

export const COMMON_SETTINGS = {
  SWEEP_TOKEN,
  METRICS_TOKEN,
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
