/** The desk's read API: GET /api/v1/tickets (filters, pagination) and GET /api/v1/tickets/:id. */
import { describe, expect, it } from 'vitest';
import { followUp, makeEvent, uniqueSession } from '../support/factories';
import { authedGet, call, deliver, ENV, librarySignature, SECRET } from './helpers';

interface TicketJson {
  id: number;
  subject: string;
  status: string;
  priority: string;
  domain: string;
  session_id: string;
}

interface Page {
  tickets: TicketJson[];
  next_cursor: number | null;
}

describe('tickets API', () => {
  it('answers 401 without credentials', async () => {
    expect((await call('/api/v1/tickets')).status).toBe(401);
    expect((await call('/api/v1/tickets/1')).status).toBe(401);
  });

  it('takes its own token only: the webhook secret and a signature over the empty body answer 401', async () => {
    expect((await call('/api/v1/tickets?limit=1', { headers: { 'x-webhook-secret': SECRET } })).status).toBe(401);
    expect((await call('/api/v1/tickets?limit=1', { headers: librarySignature(SECRET, '') })).status).toBe(401);
    expect((await call('/api/v1/tickets?limit=1', { headers: { authorization: `Bearer ${SECRET}` } })).status).toBe(401);
    expect((await authedGet('/api/v1/tickets?limit=1')).status).toBe(200);
  });

  it('does not exist (404) while TICKETS_API_TOKEN is unset', async () => {
    const { TICKETS_API_TOKEN: _token, ...unset } = ENV as unknown as Record<string, unknown>;
    expect((await authedGet('/api/v1/tickets?limit=1', unset)).status).toBe(404);
    expect((await authedGet('/api/v1/tickets/1', unset)).status).toBe(404);
  });

  it('filters by domain (normalised) and by session', async () => {
    const created = makeEvent();
    await deliver(created);
    const byDomain = (await (await authedGet(`/api/v1/tickets?domain=${created.domain.toUpperCase()}.`)).json()) as Page;
    expect(byDomain.tickets.map((t) => t.session_id)).toEqual([created.session_id]);
    const bySession = (await (await authedGet(`/api/v1/tickets?session_id=${created.session_id}`)).json()) as Page;
    expect(bySession.tickets).toHaveLength(1);
    expect(bySession.tickets[0]).toMatchObject({ status: 'open', priority: 'normal', domain: created.domain });
  });

  it('pages newest first with a cursor until next_cursor is null', async () => {
    const domain = `${uniqueSession('pages')}.example.com`;
    for (let i = 0; i < 5; i++) await deliver(makeEvent({ domain }));
    const seen: number[] = [];
    let cursor: number | null = null;
    let pages = 0;
    do {
      const query: string = `/api/v1/tickets?domain=${domain}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await (await authedGet(query)).json()) as Page;
      seen.push(...page.tickets.map((t) => t.id));
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(seen).toHaveLength(5);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
    expect(pages).toBe(3);
  });

  it('filters by status', async () => {
    const page = (await (await authedGet('/api/v1/tickets?status=closed')).json()) as Page;
    expect(page.tickets).toEqual([]);
  });

  it('answers 422 for bad query parameters', async () => {
    const res = await authedGet('/api/v1/tickets?status=pending&limit=0');
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { details: { path: string }[] } };
    expect(body.error.details.map((d) => d.path).sort()).toEqual(['limit', 'status']);
  });

  it('answers 404 for a ticket that does not exist or a malformed id', async () => {
    expect((await authedGet('/api/v1/tickets/999999999')).status).toBe(404);
    expect((await authedGet('/api/v1/tickets/abc')).status).toBe(404);
  });

  it('shows a ticket with its timeline in arrival order', async () => {
    const created = makeEvent();
    const { ticket_id } = (await (await deliver(created)).json()) as { ticket_id: number };
    await deliver(followUp(created, 'dns.applied', { provider: 'cloudflare' }));
    const detail = (await (await authedGet(`/api/v1/tickets/${ticket_id}`)).json()) as {
      ticket: TicketJson;
      events: { event: string; data: Record<string, unknown> }[];
    };
    expect(detail.ticket.id).toBe(ticket_id);
    expect(detail.events.map((e) => [e.event, e.data])).toEqual([
      ['account.created', { admin_email: 'admin@example.com' }],
      ['dns.applied', { provider: 'cloudflare' }],
    ]);
  });

  it('answers 405 for a write method on the tickets API', async () => {
    const res = await call('/api/v1/tickets', { method: 'POST', headers: { authorization: `Bearer ${ENV.TICKETS_API_TOKEN}` } });
    expect(res.status).toBe(405);
  });
});
