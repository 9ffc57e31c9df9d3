/**
 * What each event type does on the desk, as one table: open a ticket (with which priority and
 * subject) or join the session's open ticket as a timeline entry.
 */
import type { TicketPlan } from '../../../db/receiver/queries';
import type { EventType, OnboardingEvent } from '../../shared/event-catalog';

type PolicyRule =
  | { action: 'open'; priority: 'normal' | 'high'; subject: (e: OnboardingEvent) => string }
  | { action: 'link' };

const MAX_SUBJECT = 200;

/** Subject format the desk sorts by: `[event] domain — detail` (U+2014 em dash). */
function subject(e: OnboardingEvent, detail: unknown): string {
  const text = `[${e.event}] ${e.domain} \u2014 ${String(detail).replace(/\s+/g, ' ').trim()}`;
  return text.length > MAX_SUBJECT ? `${text.slice(0, MAX_SUBJECT - 1)}\u2026` : text;
}

/** The policy: only events a person must act on open tickets; the rest extend the timeline. */
export const TICKET_POLICY: Record<EventType, PolicyRule> = {
  'account.created': { action: 'open', priority: 'normal', subject: (e) => subject(e, e.data.admin_email) },
  'onboarding.failed': { action: 'open', priority: 'high', subject: (e) => subject(e, e.data.reason) },
  'domain.validated': { action: 'link' },
  'dns.applied': { action: 'link' },
  'onboarding.completed': { action: 'link' },
};

/** The plan for one validated event. */
export function planTicket(event: OnboardingEvent): TicketPlan {
  const rule = TICKET_POLICY[event.event];
  return rule.action === 'open' ? { action: 'open', priority: rule.priority, subject: rule.subject(event) } : rule;
}
