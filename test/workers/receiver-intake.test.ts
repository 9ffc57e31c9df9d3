/** Intake behaviour of POST /api/v1/webhooks/onboard: create, deduplicate, tickets and timeline. */
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connection';
import { tickets, webhookEvents } from '../../db/receiver/schema';
import { followUp, makeEvent } from '../support/factories';
import { authedGet, deliver, ENV } from './helpers';

interface Accepted {
  status: string;
  event_id: number;
  ticket_id: number | null;
  duplicate: boolean;
}

async function countRows(sessionId: string) {
  const db = openDatabase(ENV);
  const [events] = await db.select({ n: sql<number>`count(*)` }).from(webhookEvents).where(eq(webhookEvents.sessionId, sessionId));
  const [opened] = await db.select({ n: sql<number>`count(*)` }).from(tickets).where(eq(tickets.sessionId, sessionId));
  return { events: events!.n, tickets: opened!.n };
}

describe('onboard intake', () => {
  it('answers 201 with a new event and ticket for a first account.created', async () => {
    const res = await deliver(makeEvent());
    expect(res.status).toBe(201);
    const body = (await res.json()) as Accepted;
    expect(body).toMatchObject({ status: 'created', duplicate: false });
    expect(body.event_id).toBeGreaterThan(0);
    expect(body.ticket_id).toBeGreaterThan(0);
  });

  it('opens the ticket with the exact desk subject, em dash included', async () => {
    const event = makeEvent({ data: { admin_email: 'admin@example.com' } });
    const { ticket_id } = (await (await deliver(event)).json()) as Accepted;
    const detail = (await (await authedGet(`/api/v1/tickets/${ticket_id}`)).json()) as { ticket: { subject: string; priority: string } };
    expect(detail.ticket.subject).toBe(`[account.created] ${event.domain} \u2014 admin@example.com`);
    expect(detail.ticket.priority).toBe('normal');
  });

  it('answers 200 with the same ticket for a repeated delivery', async () => {
    const event = makeEvent();
    const first = (await (await deliver(event)).json()) as Accepted;
    const again = await deliver(event);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: 'duplicate', event_id: first.event_id, ticket_id: first.ticket_id, duplicate: true });
    expect(await countRows(event.session_id)).toEqual({ events: 1, tickets: 1 });
  });

  it('treats a domain in another case or with a trailing dot as the same key', async () => {
    const event = makeEvent();
    const first = (await (await deliver(event)).json()) as Accepted;
    const res = await deliver({ ...event, domain: `${event.domain.toUpperCase()}.` });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Accepted).event_id).toBe(first.event_id);
  });

  it('records 50 concurrent identical deliveries as one event and one ticket', async () => {
    const event = makeEvent();
    const answers = await Promise.all(Array.from({ length: 50 }, () => deliver(event)));
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as Accepted[];
    expect(answers.filter((r) => r.status === 201)).toHaveLength(1);
    expect(answers.filter((r) => r.status === 200)).toHaveLength(49);
    expect(new Set(bodies.map((b) => b.ticket_id)).size).toBe(1);
    expect(new Set(bodies.map((b) => b.event_id)).size).toBe(1);
    expect(await countRows(event.session_id)).toEqual({ events: 1, tickets: 1 });
  });


  it('links later events of the session to its open ticket without opening another', async () => {
    const created = makeEvent();
    const { ticket_id } = (await (await deliver(created)).json()) as Accepted;
    for (const type of ['domain.validated', 'dns.applied', 'onboarding.completed']) {
      const res = await deliver(followUp(created, type));
      expect(res.status).toBe(201);
      expect(((await res.json()) as Accepted).ticket_id).toBe(ticket_id);
    }
    expect(await countRows(created.session_id)).toEqual({ events: 4, tickets: 1 });
    const detail = (await (await authedGet(`/api/v1/tickets/${ticket_id}`)).json()) as { events: { event: string }[] };
    expect(detail.events.map((e) => e.event)).toEqual(['account.created', 'domain.validated', 'dns.applied', 'onboarding.completed']);
  });

  it('records a timeline event that arrives before its ticket and attaches it when the ticket opens', async () => {
    const created = makeEvent();
    const early = await deliver(followUp(created, 'domain.validated'));
    expect(early.status).toBe(201);
    expect(((await early.json()) as Accepted).ticket_id).toBeNull();
    const { ticket_id } = (await (await deliver(created)).json()) as Accepted;
    const detail = (await (await authedGet(`/api/v1/tickets/${ticket_id}`)).json()) as { events: { event: string }[] };
    expect(detail.events.map((e) => e.event).sort()).toEqual(['account.created', 'domain.validated']);
  });

  it('opens a high-priority ticket for onboarding.failed with the reason in the subject', async () => {
    const created = makeEvent();
    await deliver(created);
    const failed = followUp(created, 'onboarding.failed', { reason: 'DNS zone not delegated' });
    const { ticket_id } = (await (await deliver(failed)).json()) as Accepted;
    const detail = (await (await authedGet(`/api/v1/tickets/${ticket_id}`)).json()) as { ticket: { subject: string; priority: string } };
    expect(detail.ticket).toMatchObject({
      subject: `[onboarding.failed] ${created.domain} \u2014 DNS zone not delegated`,
      priority: 'high',
    });
    expect(await countRows(created.session_id)).toEqual({ events: 2, tickets: 2 });
  });

  it('takes session_id from the X-Onboarding-Session header when the body has none', async () => {
    const event = makeEvent();
    const { session_id, ...withoutSession } = event;
    const res = await deliver(withoutSession as typeof event, { 'x-onboarding-session': session_id });
    expect(res.status).toBe(201);
    expect(await countRows(session_id)).toEqual({ events: 1, tickets: 1 });
  });

  it('stores occurred_at and the data object for the timeline', async () => {
    const event = makeEvent({ occurred_at: '2026-11-29T10:00:00+01:00', data: { admin_email: 'a@example.com', plan: 'pro' } });
    const { ticket_id } = (await (await deliver(event)).json()) as Accepted;
    const detail = (await (await authedGet(`/api/v1/tickets/${ticket_id}`)).json()) as {
      events: { occurred_at: string; data: Record<string, unknown> }[];
    };
    expect(detail.events[0]).toMatchObject({ occurred_at: '2026-11-29T09:00:00.000Z', data: { admin_email: 'a@example.com', plan: 'pro' } });
  });
});
