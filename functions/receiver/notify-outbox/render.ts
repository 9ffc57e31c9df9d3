/**
 * What a notification says, decided and rendered here in the worker; the host's relay only
 * submits it. Mail: the ticket's subject, a plain-text body with the facts and a link to the
 * ticket, a stable Message-ID per ticket and reason, and In-Reply-To/References that put a
 * ticket's escalations in the thread of its first notice (RFC 5322). Chat: the same facts as
 * Slack/Mattermost `{"text": …}`.
 */
import type { Notification, Ticket } from '../../../db/receiver/schema';
import type { ChatMessage, MailMessage } from '../../host-contract/notify-messages';

export type { ChatMessage, MailMessage } from '../../host-contract/notify-messages';
import { age } from '../../operator-area';
import type { ReceiverConfig } from '../config';
import { localClock } from './local-clock';

type NotifyConfig = Pick<ReceiverConfig, 'NOTIFY_EMAIL_FROM' | 'NOTIFY_EMAIL_TO' | 'ESCALATE_TO' | 'ESCALATE_AFTER' | 'ESCALATE_MAX' | 'PUBLIC_ORIGIN' | 'TZ'>;

const DESK = '/desk';

/** A link into the desk (PUBLIC_ORIGIN is required with notifications: notify-settings.ts). */
function deskLink(config: NotifyConfig, path: string): string {
  return `${config.PUBLIC_ORIGIN ?? ''}${DESK}${path}`;
}

/** A time as people on the desk read it, in TZ. */
export function localTime(at: number, timeZone: string): string {
  const { date, time } = localClock(at, timeZone);
  return `${date} ${time} (${timeZone})`;
}

/** The domain of Message-IDs: the sender's. */
function idDomain(config: NotifyConfig): string {
  return (config.NOTIFY_EMAIL_FROM ?? 'ops-webhook@localhost').split('@')[1]!;
}

/** `<ticket-42.opened@example.com>`: the same for every attempt and every channel's copy of one notice. */
export function messageIdOf(notification: Pick<Notification, 'id' | 'channel'>, config: NotifyConfig): string {
  const local = notification.id.slice(0, notification.id.length - notification.channel.length - 1);
  return `<${local}@${idDomain(config)}>`;
}

/** `escalation-2` → 2; anything else → 0. */
export function escalationNumber(reason: string): number {
  const match = /^escalation-(\d+)$/.exec(reason);
  return match ? Number(match[1]) : 0;
}

/** What a ticket notice says, line by line (the mail's body and the chat's text share them). */
function ticketFacts(ticket: Ticket, reason: string, config: NotifyConfig, now: number): { headline: string; lines: string[] } {
  const escalation = escalationNumber(reason);
  const headline =
    escalation > 0
      ? `Still not acknowledged, ${age(now - ticket.createdAt)} after it opened (reminder ${escalation} of ${config.ESCALATE_MAX}).`
      : `A ${ticket.priority}-priority ticket opened on the Ops desk.`;
  return {
    headline,
    lines: [
      `Ticket:   #${ticket.id} ${ticket.subject}`,
      `Priority: ${ticket.priority}`,
      `Status:   ${ticket.status}${ticket.assignedTo ? `, taken by ${ticket.assignedTo}` : ', nobody has taken it'}`,
      `Domain:   ${ticket.domain}`,
      `Session:  ${ticket.sessionId}`,
      `Opened:   ${localTime(ticket.createdAt, config.TZ)}`,
      '',
      `Open the ticket: ${deskLink(config, `/tickets/${ticket.id}`)}`,
      `The onboarding's story: ${deskLink(config, `/sessions/${encodeURIComponent(ticket.sessionId)}`)}`,
    ],
  };
}

/** The mail of a ticket's notice (its opening, or an escalation). */
export function ticketMail(notification: Notification, ticket: Ticket, config: NotifyConfig, now: number): MailMessage {
  const { headline, lines } = ticketFacts(ticket, notification.reason, config, now);
  const escalation = escalationNumber(notification.reason);
  const to = escalation > 0 ? (config.ESCALATE_TO ?? config.NOTIFY_EMAIL_TO ?? []) : (config.NOTIFY_EMAIL_TO ?? []);
  const mail: MailMessage = {
    from: config.NOTIFY_EMAIL_FROM!,
    to,
    subject: ticket.subject,
    text: [headline, '', ...lines, '', '-- ', 'ops-webhook, the Ops desk on VM122. Acknowledge the ticket on the desk to stop reminders.'].join('\n'),
    messageId: messageIdOf(notification, config),
  };
  if (escalation > 0) {
    // The thread: the opening notice, then every earlier reminder.
    const first = `<ticket-${ticket.id}.opened@${idDomain(config)}>`;
    const earlier = Array.from({ length: escalation - 1 }, (_, i) => `<ticket-${ticket.id}.escalation-${i + 1}@${idDomain(config)}>`);
    mail.inReplyTo = earlier.at(-1) ?? first;
    mail.references = [first, ...earlier];
  }
  return mail;
}

/** The chat message of a ticket's notice. */
export function ticketChat(notification: Notification, ticket: Ticket, config: NotifyConfig, now: number): ChatMessage {
  const { headline, lines } = ticketFacts(ticket, notification.reason, config, now);
  return { text: [`${headline}`, ...lines.filter((l) => l !== '')].join('\n') };
}

/** The daily digest: the open tickets, oldest first, with their ages. */
export function digestText(open: { tickets: Ticket[]; total: number }, config: NotifyConfig, now: number): { subject: string; text: string } {
  const day = localClock(now, config.TZ).date;
  const subject = `Ops desk: ${open.total} open ticket${open.total === 1 ? '' : 's'} (${day})`;
  const lines =
    open.total === 0
      ? ['No open tickets.']
      : [
          `Open tickets, the longest waiting first:`,
          '',
          ...open.tickets.map(
            (t) => `#${t.id} [${t.priority}] ${t.subject}\n    open ${age(now - t.createdAt)}, ${t.assignedTo ? `taken by ${t.assignedTo}` : 'nobody has taken it'} - ${deskLink(config, `/tickets/${t.id}`)}`,
          ),
          ...(open.total > open.tickets.length ? ['', `… and ${open.total - open.tickets.length} more: ${deskLink(config, '?status=open')}`] : []),
        ];
  return { subject, text: [...lines, '', `The desk: ${deskLink(config, '')}`].join('\n') };
}
