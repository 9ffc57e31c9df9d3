/** The shared event catalog: normalisation and field-level errors. */
import { describe, expect, it } from 'vitest';
import { deskRole, EVENT_TYPES, parseOnboardingEvent } from '../../functions/contract/event-catalog';
import { planTicket } from '../../functions/receiver/intake/ticket-policy';
import { makeEvent } from '../support/factories';

describe('event catalog', () => {
  it('normalises the domain to lower case without a trailing dot', () => {
    const parsed = parseOnboardingEvent(makeEvent({ domain: 'Mail.Example.COM.' }));
    expect(parsed.ok && parsed.event.domain).toBe('mail.example.com');
  });

  it('rejects domains that are not host names', () => {
    for (const domain of ['localhost', 'exa mple.com', '-bad.example.com', 'a..b.com', `${'a'.repeat(64)}.com`]) {
      const parsed = parseOnboardingEvent(makeEvent({ domain }));
      expect(parsed.ok, domain).toBe(false);
    }
  });

  it('lists every problem with its path', () => {
    const parsed = parseOnboardingEvent({ event: 'account.created', domain: 'x', session_id: '', occurred_at: 'yesterday' });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect([...new Set(parsed.issues.map((i) => i.path))].sort()).toEqual(['domain', 'occurred_at', 'session_id']);
  });

  it('keeps unknown data fields for the timeline', () => {
    const parsed = parseOnboardingEvent(makeEvent({ data: { admin_email: 'a@example.com', plan: 'pro' } }));
    expect(parsed.ok && parsed.event.data).toEqual({ admin_email: 'a@example.com', plan: 'pro' });
  });

  it('names, for every event type that opens a ticket, a data field the event must carry', () => {
    for (const type of EVENT_TYPES) {
      const role = deskRole(type);
      if (!role.opens) continue;
      const withoutIt = parseOnboardingEvent(makeEvent({ event: type, data: {} }));
      expect(withoutIt.ok, type).toBe(false);
      if (!withoutIt.ok) expect(withoutIt.issues.map((i) => i.path), type).toContain(`data.${role.detail}`);
    }
  });

  it('opens tickets only for the events a person must act on, with their priority', () => {
    const opening = EVENT_TYPES.filter((t) => deskRole(t).opens).map((t) => [t, deskRole(t).opens]);
    expect(opening).toEqual([
      ['account.created', 'normal'],
      ['onboarding.failed', 'high'],
    ]);
  });

  it('caps very long subjects', () => {
    const parsed = parseOnboardingEvent(makeEvent({ event: 'onboarding.failed', data: { reason: 'x'.repeat(900) } }));
    if (!parsed.ok) throw new Error('expected a valid event');
    const plan = planTicket(parsed.event);
    expect(plan.action === 'open' && plan.subject.length).toBe(200);
  });
});
