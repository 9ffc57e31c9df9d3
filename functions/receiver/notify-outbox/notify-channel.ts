/**
 * The receiver's notifications as a channel of the outbox engine (functions/platform/outbox/):
 * what one notification is on the wire (the rendered mail or chat message, handed to the host's
 * relay through the NOTIFY binding), how the relay's answers read, and its log line. The engine
 * does the rest, as for the emitter's deliveries: leases, the retry schedule with Retry-After,
 * dead letters, the attempt's record in one batch with the notification's new state.
 */
import type { FetchBinding } from '../../../db/connection';
import { NOTIFY_OUTBOX, notificationFromRow, notifiedTicket, openTicketsByAge } from '../../../db/receiver/notifications';
import type { Notification } from '../../../db/receiver/schema';
import type { AttemptRecord } from '../../../db/outbox/attempts';
import type { Logger } from '../../platform/logger';
import { logAttemptOutcome, type OutboxChannel, type Sent } from '../../platform/outbox/engine';
import { errorCodeOf, type AttemptResult, type Decision } from '../../platform/outbox/retry-policy';
import type { Services } from '../../platform/services';
import type { ReceiverConfig } from '../config';
import { digestText, messageIdOf, ticketChat, ticketMail, type ChatMessage, type MailMessage } from './render';

/** The services (database, clock, randomness, logger), the receiver's settings and the relay. */
export interface NotifyDeps extends Services {
  config: ReceiverConfig;
  /** The host's relay; absent under `wrangler dev`, where nothing can be sent. */
  notify?: FetchBinding | undefined;
}

/** Fast tries first (1 s, 3 s, 9 s, as the emitter's), then slower: about nine hours in all before a notification is dead. */
export const NOTIFY_SCHEDULE = [1_000, 3_000, 9_000, 60_000, 300_000, 1_800_000, 7_200_000, 21_600_000];

/** The relay's own limit on one submission is 40 s (host/notify-relay.ts); the lease outlasts it. */
const SEND_TIMEOUT_MS = 45_000;
const RESPONSE_EXCERPT = 1000;
/** Notifications stay on their tickets' timelines: delivered ones are kept a year. */
const KEEP_DELIVERED_MS = 365 * 86_400_000;
/** Open tickets a digest lists (the rest are counted, with a link). */
const DIGEST_LIMIT = 50;

/** What the relay is asked to send for `notification`, or why there is nothing to send. */
async function render(deps: NotifyDeps, notification: Notification, at: number): Promise<{ path: '/mail'; body: MailMessage } | { path: '/chat'; body: ChatMessage } | { gone: string }> {
  const { config } = deps;
  if (notification.ticketId === null) {
    const digest = digestText(await openTicketsByAge(deps.db, DIGEST_LIMIT), config, at);
    if (notification.channel === 'chat') return { path: '/chat', body: { text: `${digest.subject}\n${digest.text}` } };
    return { path: '/mail', body: { from: config.NOTIFY_EMAIL_FROM!, to: config.NOTIFY_EMAIL_TO ?? [], subject: digest.subject, text: digest.text, messageId: messageIdOf(notification, config) } };
  }
  const ticket = await notifiedTicket(deps.db, notification.ticketId);
  if (!ticket) return { gone: `ticket ${notification.ticketId} no longer exists` };
  if (notification.channel === 'chat') return { path: '/chat', body: ticketChat(notification, ticket, config, at) };
  return { path: '/mail', body: ticketMail(notification, ticket, config, at) };
}

/** Hands one notification to the relay; what came back, or why nothing did. */
async function send(deps: NotifyDeps, notification: Notification, at: number): Promise<Sent> {
  if (!deps.notify) {
    return { result: { kind: 'error', error: 'no notification relay: notifications are sent by the host (ops-webhook serve or npm start), not under wrangler dev' }, body: null };
  }
  const message = await render(deps, notification, at);
  // Nothing will ever make it sendable: answered as a refusal, so the engine files it dead at once.
  if ('gone' in message) return { result: { kind: 'response', status: 422, retryAfter: null, code: 'gone' }, body: message.gone };
  try {
    const response = await deps.notify.fetch(
      new Request(`http://notify${message.path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message.body),
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      }),
    );
    const text = (await response.text()).slice(0, RESPONSE_EXCERPT);
    const result: AttemptResult = { kind: 'response', status: response.status, retryAfter: response.headers.get('retry-after') };
    const code = errorCodeOf(text);
    if (code) result.code = code;
    return { result, body: relayReply(text) };
  } catch (err) {
    const error = err as Error;
    return { result: { kind: 'error', error: error.name === 'TimeoutError' ? `the relay did not answer within ${SEND_TIMEOUT_MS / 1000} s` : `the relay could not be reached: ${error.message}` }, body: null };
  }
}

/** The part of the relay's answer worth keeping: the mail server's reply, or the error's message, else the text. */
function relayReply(text: string): string {
  try {
    const parsed = JSON.parse(text) as { response?: unknown; error?: { message?: unknown } };
    if (typeof parsed.response === 'string') return parsed.response;
    if (typeof parsed.error?.message === 'string') return parsed.error.message;
  } catch {
    // not JSON: keep it as it came
  }
  return text;
}

const NOTIFY_WORDS = {
  delivered: 'notification sent',
  retry: 'notification failed; will retry',
  dead: 'notification abandoned: nobody was told of this ticket by this channel',
};

/** One log line per attempt. */
function logAttempt(logger: Logger, notification: Notification, record: AttemptRecord, decision: Decision): void {
  const fields = { notification: notification.id, ticket_id: notification.ticketId, channel: notification.channel, notice: notification.reason };
  logAttemptOutcome(logger, NOTIFY_WORDS, fields, notification.attempts, record, decision);
}

/** The notifications as an outbox channel, over this request's (or sweep's) dependencies. */
export function notifyChannel(deps: NotifyDeps): OutboxChannel<Notification> {
  return {
    tables: NOTIFY_OUTBOX,
    fromRow: notificationFromRow,
    schedule: NOTIFY_SCHEDULE,
    leaseMs: SEND_TIMEOUT_MS + 15_000,
    concurrency: 4,
    probeIntervalMs: 30_000,
    retention: { statuses: ['delivered'], afterMs: KEEP_DELIVERED_MS, batch: 500 },
    peer: 'the notification relay',
    send: (notification, at) => send(deps, notification, at),
    logAttempt: (notification, record, decision) => logAttempt(deps.logger, notification, record, decision),
  };
}
