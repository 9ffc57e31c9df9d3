/**
 * The emitter's API shapes beyond the event catalog: what the operator endpoints take and what
 * every endpoint answers. The routes validate with these and type their answers by them, and the
 * OpenAPI document publishes them.
 */
import { z } from 'zod';
import { DELIVERY_STATUSES } from '../../db/emitter/schema';
import { EVENT_TYPES } from '../shared/event-catalog';
import { STORAGE_REPORT } from '../shared/openapi';
import { PAGE_QUERY } from '../shared/page-query';

const TIME = z.string().describe('ISO-8601, UTC');

export const ACCEPTED = z.object({
  status: z.literal('accepted'),
  id: z.string().describe('The message id; sent to Ops as `webhook-id` on every attempt'),
  duplicate: z.boolean().describe('true when this (event, session_id, domain) was accepted before: the same id'),
  delivery: z.enum(DELIVERY_STATUSES).describe('pending (delivery follows), or skipped when OPS_WEBHOOK_ENABLED=false'),
});

export const DELIVERY_LIST_QUERY = z.object({
  status: z.enum(DELIVERY_STATUSES).optional(),
  ...PAGE_QUERY,
});

export const BULK_REDELIVER = z.object({
  status: z.enum(['dead', 'delivered', 'skipped']),
  since: z.iso.datetime({ offset: true }).optional().describe('Only messages accepted at or after this time'),
});

export const PURGE = z.object({
  status: z.enum(['dead', 'delivered', 'skipped']).describe('Pending messages are never purged'),
  before: z.iso.datetime({ offset: true }).describe('Messages accepted before this time'),
});

export const PURGED = z.object({ status: z.literal('purged'), count: z.number().int() });

export const DELIVERY = z.object({
  id: z.string(),
  seq: z.number().int(),
  event: z.enum(EVENT_TYPES),
  domain: z.string(),
  session_id: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  next_attempt_at: TIME.nullable(),
  last_status: z.number().int().nullable(),
  last_error: z.string().nullable(),
  created_at: TIME,
  delivered_at: TIME.nullable(),
});

export const ATTEMPT = z.object({
  attempt: z.number().int(),
  trigger: z.enum(['accept', 'sweep', 'probe', 'manual', 'reconcile']).describe('reconcile: sent again because the receiver had no record of it'),
  started_at: TIME,
  duration_ms: z.number().int(),
  status_code: z.number().int().nullable(),
  error: z.string().nullable(),
  response_body: z.string().nullable().describe("The first 2 KiB of Ops' answer"),
  outcome: z.enum(['delivered', 'retry', 'dead']),
  next_attempt_at: TIME.nullable(),
});

export const DELIVERY_PAGE = z.object({ deliveries: z.array(DELIVERY), next_cursor: z.number().int().nullable() });
export const DELIVERY_WITH_ATTEMPTS = z.object({ delivery: DELIVERY, attempts: z.array(ATTEMPT) });
export const REQUEUED_ONE = z.object({ status: z.literal('requeued'), id: z.string() });
export const REQUEUED_MANY = z.object({ status: z.literal('requeued'), count: z.number().int() });

export const EMITTER_HEALTH = z.object({
  status: z.literal('ok'),
  database: z.literal('ok'),
  delivery_enabled: z.boolean(),
  backlog: z.object({
    pending: z.number().int(),
    due: z.number().int(),
    dead: z.number().int(),
    oldest_pending_age_s: z.number().nullable(),
  }),
  reconciliation: z
    .object({
      last_at: z.string(),
      ok: z.boolean(),
      checked: z.number().int(),
      missing: z.number().int().describe('Delivered events the receiver had no record of'),
      requeued: z.number().int(),
      error: z.string().optional().describe('Why the last pass failed (nothing was changed)'),
    })
    .nullable()
    .describe('The last reconciliation with the receiver (null before the first, or with RECONCILE_INTERVAL=0)'),
  storage: STORAGE_REPORT,
});
