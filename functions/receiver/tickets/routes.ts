/**
 * The read API over the desk: GET /api/v1/tickets (filtered, paginated) and
 * GET /api/v1/tickets/{id} (with its timeline). Its own credential, TICKETS_API_TOKEN.
 */
import type { SecurityScheme } from '../../platform/openapi/security-scheme';
import { z } from 'zod';
import { TICKET_PRIORITIES, TICKET_STATUSES, type Ticket, type WebhookEvent } from '../../../db/receiver/schema';
import { listTickets, ticketTimeline } from '../../../db/receiver/tickets';
import { requireBearer } from '../../platform/http/bearer-token';
import { withDatabase } from '../../platform/database-errors';
import { EVENT_TYPES, normaliseDomain, type EventType } from '../../contract/event-catalog';
import { apiError } from '../../platform/http/http-errors';
import { isoTime } from '../../platform/iso-time';
import { ApiRoutes } from '../../platform/openapi/api-routes';
import { errorResponses, json } from '../../platform/openapi/document';
import { nextCursor, PAGE_QUERY } from '../../platform/http/page-query';
import type { ReceiverApp } from '../types';

const TIME = z.string().describe('ISO-8601, UTC');

export const TICKET_LIST_QUERY = z.object({
  status: z.enum(TICKET_STATUSES).optional(),
  domain: z.string().min(1).max(253).transform(normaliseDomain).optional(),
  session_id: z.string().min(1).max(128).optional(),
  ...PAGE_QUERY,
});

export const TICKET_ID = z.coerce.number().int().positive();

export const TICKET = z.object({
  id: z.number().int(),
  subject: z.string(),
  priority: z.enum(TICKET_PRIORITIES),
  status: z.enum(TICKET_STATUSES),
  domain: z.string(),
  session_id: z.string(),
  opened_by_event_id: z.number().int(),
  created_at: TIME,
  updated_at: TIME,
});

export const TICKET_EVENT = z.object({
  id: z.number().int(),
  event: z.enum(EVENT_TYPES),
  domain: z.string(),
  session_id: z.string(),
  webhook_id: z.string().nullable(),
  occurred_at: TIME.nullable(),
  received_at: TIME,
  data: z.record(z.string(), z.unknown()),
});

export const TICKET_PAGE = z.object({
  tickets: z.array(TICKET),
  next_cursor: z.number().int().nullable().describe('Pass as `cursor` for the next page; null on the last'),
});

export const TICKET_WITH_EVENTS = z.object({ ticket: TICKET, events: z.array(TICKET_EVENT) });

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

/** The read API's own credential: the webhook secret (which can write) and signatures (which cover no path) do not open it. */
const READ_SECURITY: SecurityScheme<ReceiverApp> = {
  schemes: [{ name: 'ticketsToken', value: { type: 'http', scheme: 'bearer', description: "TICKETS_API_TOKEN, the read API's own credential. Unset, the read API answers 404." } }],
  enforce: requireBearer<ReceiverApp>((c) => c.var.config.TICKETS_API_TOKEN, 'not_found'),
};

export const tickets = new ApiRoutes<ReceiverApp>();

tickets.route(
  {
    method: 'get',
    path: '/api/v1/tickets',
    summary: 'List desk tickets, newest first',
    tags: ['tickets'],
    security: READ_SECURITY,
    request: { query: TICKET_LIST_QUERY },
    responses: { 200: json('A page of tickets.', TICKET_PAGE), ...errorResponses(401, 404, 422, 503) },
  },
  async function listTicketsHandler(c) {
    const q = c.req.valid('query');
    const page = await withDatabase(() =>
      listTickets(c.var.services.db, { status: q.status, domain: q.domain, sessionId: q.session_id, before: q.cursor, limit: q.limit }),
    );
    return c.json({ tickets: page.items.map(ticketJson), next_cursor: nextCursor(page, (t) => t.id) } satisfies z.infer<typeof TICKET_PAGE>);
  },
);

tickets.route(
  {
    method: 'get',
    path: '/api/v1/tickets/{id}',
    summary: 'One ticket with its timeline',
    tags: ['tickets'],
    security: READ_SECURITY,
    request: { params: z.object({ id: TICKET_ID }) },
    responses: { 200: json('The ticket and its events, oldest first.', TICKET_WITH_EVENTS), ...errorResponses(401, 404, 503) },
  },
  async function getTicketHandler(c) {
    const { id } = c.req.valid('param');
    const found = await withDatabase(() => ticketTimeline(c.var.services.db, id));
    if (!found) throw apiError(404, 'not_found', `ticket ${id} does not exist`);
    return c.json({ ticket: ticketJson(found.ticket), events: found.events.map(eventJson) } satisfies z.infer<typeof TICKET_WITH_EVENTS>);
  },
);
