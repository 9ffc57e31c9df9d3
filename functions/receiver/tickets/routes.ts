/** GET /api/v1/tickets (filtered, paginated) and GET /api/v1/tickets/:id (with its timeline). */
import { Hono } from 'hono';
import { z } from 'zod';
import { getTicketWithEvents, listTickets } from '../../../db/receiver/queries';
import type { Ticket, WebhookEvent } from '../../../db/receiver/schema';
import { withDatabase } from '../../shared/database-errors';
import type { EventType } from '../../shared/event-catalog';
import { apiError, methodNotAllowed } from '../../shared/http-errors';
import { validationFailed } from '../../shared/json-request';
import { nextCursor } from '../../shared/page-query';
import { isoTime } from '../../shared/iso-time';
import { TICKET, TICKET_EVENT, TICKET_ID, TICKET_LIST_QUERY } from '../api-schemas';
import { requireBearer } from '../../shared/bearer-token';
import type { ReceiverApp } from '../types';

function ticketJson(t: Ticket): z.infer<typeof TICKET> {
  return {
    id: t.id,
    subject: t.subject,
    priority: t.priority,
    status: t.status,
    domain: t.domain,
    session_id: t.sessionId,
    opened_by_event_id: t.openedByEventId,
    created_at: isoTime(t.createdAt)!,
    updated_at: isoTime(t.updatedAt)!,
  };
}

function eventJson(e: WebhookEvent): z.infer<typeof TICKET_EVENT> {
  return {
    id: e.id,
    event: e.eventType as EventType,
    domain: e.domain,
    session_id: e.sessionId,
    webhook_id: e.webhookId,
    occurred_at: isoTime(e.occurredAt),
    received_at: isoTime(e.receivedAt)!,
    data: JSON.parse(e.data) as Record<string, unknown>,
  };
}

export const ticketsRoute = new Hono<ReceiverApp>();

// Its own credential: the webhook secret (which can write) and signatures (which cover no path) do not open it.
ticketsRoute.use(requireBearer<ReceiverApp>((c) => c.var.config.TICKETS_API_TOKEN, 'not_found'));

ticketsRoute.get('/', async function listTicketsHandler(c) {
  const query = TICKET_LIST_QUERY.safeParse(c.req.query());
  if (!query.success) throw validationFailed(query.error);
  const q = query.data;
  const page = await withDatabase(() =>
    listTickets(c.var.db, {
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
  const id = TICKET_ID.safeParse(c.req.param('id'));
  if (!id.success) throw apiError(404, 'not_found', 'no such ticket');
  const found = await withDatabase(() => getTicketWithEvents(c.var.db, id.data));
  if (!found) throw apiError(404, 'not_found', `ticket ${id.data} does not exist`);
  return c.json({ ticket: ticketJson(found.ticket), events: found.events.map(eventJson) });
});

ticketsRoute.all('/', methodNotAllowed(['GET']));
ticketsRoute.all('/:id', methodNotAllowed(['GET']));
