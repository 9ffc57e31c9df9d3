/**
 * The receiver's notification settings: where mail and chat messages go, when an unacknowledged
 * ticket escalates, and when the daily digest goes out. Every one is off until set. The SMTP URL
 * holds a password: no message here ever repeats a value.
 */
import { z } from 'zod';
import { duration, integer, optionalText } from '../../platform/settings/config';

const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

const unset = (v: unknown) => (v === '' ? undefined : v);

/** An SMTP submission URL: smtp://user:pass@host:587 (STARTTLS required) or smtps://user:pass@host:465 (implicit TLS). */
const SMTP_URL = z.preprocess(
  unset,
  z
    .string()
    .optional()
    .superRefine((text, ctx) => {
      if (text === undefined) return;
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a URL like smtp://user:password@mail.example.com:587 or smtps://…:465' });
        return;
      }
      if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') ctx.addIssue({ code: 'custom', message: 'must start with smtp:// (port 587, STARTTLS required) or smtps:// (port 465, implicit TLS)' });
      else if (!url.hostname) ctx.addIssue({ code: 'custom', message: 'must name the mail server' });
      else if (url.pathname !== '' && url.pathname !== '/') ctx.addIssue({ code: 'custom', message: 'must have no path' });
    }),
);

/** Comma-separated e-mail addresses, as a list. */
const EMAIL_LIST = z.preprocess(
  unset,
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return undefined;
      const addresses = text.split(',').map((a) => a.trim()).filter(Boolean);
      const bad = addresses.findIndex((a) => !EMAIL.test(a));
      if (addresses.length === 0 || bad >= 0) {
        ctx.addIssue({ code: 'custom', message: bad >= 0 ? `entry ${bad + 1} is not an e-mail address (comma-separated addresses)` : 'must list at least one e-mail address' });
        return z.NEVER;
      }
      return addresses;
    }),
);

const HTTP_URL = z.preprocess(
  unset,
  z
    .string()
    .optional()
    .refine((text) => {
      if (text === undefined) return true;
      try {
        return ['http:', 'https:'].includes(new URL(text).protocol);
      } catch {
        return false;
      }
    }, 'must be an http:// or https:// URL (a Slack or Mattermost incoming webhook)'),
);

/** HH:MM on a 24-hour clock, as minutes after midnight. */
const TIME_OF_DAY = z.preprocess(
  unset,
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return undefined;
      const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
      if (!match) {
        ctx.addIssue({ code: 'custom', message: 'must be a time of day as HH:MM (24-hour), e.g. 08:30' });
        return z.NEVER;
      }
      return Number(match[1]) * 60 + Number(match[2]);
    }),
);

/** An IANA time zone name (Europe/Lisbon), checked against the runtime's own list. */
const TIME_ZONE = z.preprocess(
  (v) => (v === '' || v === undefined ? 'UTC' : v),
  z.string().refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as Europe/Lisbon or UTC'),
);

export const NOTIFY_SETTINGS = {
  /** Where notification mail is submitted: smtp://user:pass@host:587 (STARTTLS required) or smtps://…:465. Unset: no mail. */
  NOTIFY_SMTP_URL: SMTP_URL,
  /** A private CA (PEM file) the mail server's certificate is checked against, instead of the system's. */
  NOTIFY_SMTP_CA_FILE: optionalText,
  /** The From address of notification mail. */
  NOTIFY_EMAIL_FROM: z.preprocess(unset, z.string().regex(EMAIL, 'must be an e-mail address').optional()),
  /** Who gets notification mail: comma-separated addresses. */
  NOTIFY_EMAIL_TO: EMAIL_LIST,
  /** A Slack or Mattermost incoming webhook that gets each notification as {"text": …}. Unset: no chat. */
  NOTIFY_WEBHOOK_URL: HTTP_URL,
  /** An open high-priority ticket nobody acknowledged this long notifies again (s, m or h). */
  ESCALATE_AFTER: duration('15m'),
  /** Who an escalation's mail goes to (default: NOTIFY_EMAIL_TO); chat goes to the same webhook. */
  ESCALATE_TO: EMAIL_LIST,
  /** How many escalations one ticket gets at most (0: none). */
  ESCALATE_MAX: integer(3, 0, 20),
  /** A daily digest of the open tickets, by age, at this time (HH:MM in TZ). Unset: no digest. */
  DIGEST_AT: TIME_OF_DAY,
  /** The time zone of DIGEST_AT and of the times in notifications. */
  TZ: TIME_ZONE,
};

/** The rules between the settings: mail needs a sender and recipients, and every notification a link back (PUBLIC_ORIGIN). */
export function checkNotifySettings(
  config: { NOTIFY_SMTP_URL?: string | undefined; NOTIFY_WEBHOOK_URL?: string | undefined; NOTIFY_EMAIL_FROM?: string | undefined; NOTIFY_EMAIL_TO?: string[] | undefined; PUBLIC_ORIGIN?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (config.NOTIFY_SMTP_URL !== undefined) {
    if (config.NOTIFY_EMAIL_FROM === undefined) ctx.addIssue({ code: 'custom', path: ['NOTIFY_EMAIL_FROM'], message: 'is required with NOTIFY_SMTP_URL' });
    if (config.NOTIFY_EMAIL_TO === undefined) ctx.addIssue({ code: 'custom', path: ['NOTIFY_EMAIL_TO'], message: 'is required with NOTIFY_SMTP_URL' });
  }
  if ((config.NOTIFY_SMTP_URL !== undefined || config.NOTIFY_WEBHOOK_URL !== undefined) && config.PUBLIC_ORIGIN === undefined) {
    ctx.addIssue({ code: 'custom', path: ['PUBLIC_ORIGIN'], message: 'is required with NOTIFY_SMTP_URL or NOTIFY_WEBHOOK_URL: notifications link to the ticket (e.g. https://ops-desk.lan or http://10.10.10.122:8080)' });
  }
}
