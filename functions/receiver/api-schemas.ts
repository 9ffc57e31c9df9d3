/**
 * The receiver's API shapes beyond the event catalog: query parameters it validates, and the
 * bodies it answers. The routes validate with these and type their answers by them, and the
 * OpenAPI document publishes them.
 */
import { z } from 'zod';
import { EVENT_TYPES, normaliseDomain } from '../shared/event-catalog';
import { PAGE_QUERY } from '../shared/page-query';
import { STORAGE_REPORT } from '../shared/openapi';

const TIME = z.string().describe('ISO-8601, UTC');

export const INTAKE_RESULT = z.object({
  status: z.enum(['created', 'duplicate']),
  event_id: z.number().int(),
  ticket_id: z.number().int().nullable().describe('null for a timeline event of a session that has no open ticket yet'),
  duplicate: z.boolean(),
});

/** Most events one receipts request may ask about. */
export const MAX_RECEIPTS = 500;

/** What the emitter's reconciliation asks: the messages it delivered, by their business key. */
export const RECEIPTS_REQUEST = z.object({
  events: z
    .array(
      z.object({
        id: z.string().min(1).max(128).describe("The emitter's message id (msg_…), echoed back when missing"),
        event: z.enum(EVENT_TYPES),
        session_id: z.string().min(1).max(128),
        domain: z.string().min(1).max(253).transform(normaliseDomain),
      }),
    )
    .max(MAX_RECEIPTS, `at most ${MAX_RECEIPTS} events per request`),
});

export const RECEIPTS_ANSWER = z.object({
  missing: z.array(z.string()).describe('The ids whose (event, session_id, domain) this receiver has no record of'),
});

export const TICKET_LIST_QUERY = z.object({
  status: z.enum(['open', 'closed']).optional(),
  domain: z.string().min(1).max(253).transform(normaliseDomain).optional(),
  session_id: z.string().min(1).max(128).optional(),
  ...PAGE_QUERY,
});

export const TICKET_ID = z.coerce.number().int().positive();

export const TICKET = z.object({
  id: z.number().int(),
  subject: z.string(),
  priority: z.enum(['normal', 'high']),
  status: z.enum(['open', 'closed']),
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

export const RECEIVER_HEALTH = z.object({
  status: z.literal('ok'),
  database: z.literal('ok'),
  database_ms: z.number(),
  storage: STORAGE_REPORT,
});
