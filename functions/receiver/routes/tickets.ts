/** GET /api/v1/tickets (filtered, paginated) and GET /api/v1/tickets/:id (with its timeline). */
import { Hono } from 'hono';
import { z } from 'zod';
import { openDatabase } from '../../../db/connection';
import { getTicketWithEvents, listTickets } from '../../../db/receiver/queries';
import type { Ticket, WebhookEvent } from '../../../db/receiver/schema';
import { withDatabase } from '../../shared/database-errors';
import { normaliseDomain } from '../../shared/event-catalog';
import { apiError, methodNotAllowed } from '../../shared/http-errors';
import { validationFailed } from '../../shared/json-request';
import { isoTime, nextCursor, PAGE_QUERY } from '../../shared/page-query';
import { authenticate } from '../middleware/authenticate';
import type { ReceiverApp } from '../types';

const LIST_QUERY = z.object({
  status: z.enum(['open', 'closed']).optional(),
  domain: z.string().min(1).max(253).transform(normaliseDomain).optional(),
  session_id: z.string().min(1).max(128).optional(),
  ...PAGE_QUERY,
});

const ID = z.coerce.number().int().positive();

function ticketJson(t: Ticket) {
  return {
    id: t.id,
    subject: t.subject,
    priority: t.priority,
    status: t.status,
    domain: t.domain,
    session_id: t.sessionId,
    opened_by_event_id: t.openedByEventId,
    created_at: isoTime(t.createdAt),
    updated_at: isoTime(t.updatedAt),
  };
}

function eventJson(e: WebhookEvent) {
  return {
    id: e.id,
    event: e.eventType,
    domain: e.domain,
    session_id: e.sessionId,
    webhook_id: e.webhookId,
    occurred_at: isoTime(e.occurredAt),
    received_at: isoTime(e.receivedAt),
    data: JSON.parse(e.data) as unknown,
  };
}

export const ticketsRoute = new Hono<ReceiverApp>();

// The desk's read API takes the secret header too, or a signature over the empty body.
ticketsRoute.use(authenticate({ body: 'none', honourRequireSignature: false }));

ticketsRoute.get('/', async function listTicketsHandler(c) {
  const query = LIST_QUERY.safeParse(c.req.query());
  if (!query.success) throw validationFailed(query.error);
  const q = query.data;
  const page = await withDatabase(() =>
    listTickets(openDatabase(c.env), {
      status: q.status,
      domain: q.domain,
      sessionId: q.session_id,
      before: q.cursor,
      limit: q.limit,
    }),
  );
  return c.json({ tickets: page.items.map(ticketJson), next_cursor: nextCursor(page, (t) => t.id) });
});

ticketsRoute.get('/:id', async function getTicketHandler(c) {
  const id = ID.safeParse(c.req.param('id'));
  if (!id.success) throw apiError(404, 'not_found', 'no such ticket');
  const found = await withDatabase(() => getTicketWithEvents(openDatabase(c.env), id.data));
  if (!found) throw apiError(404, 'not_found', `ticket ${id.data} does not exist`);
  return c.json({ ticket: ticketJson(found.ticket), events: found.events.map(eventJson) });
});

ticketsRoute.all('/', methodNotAllowed(['GET']));
ticketsRoute.all('/:id', methodNotAllowed(['GET']));
