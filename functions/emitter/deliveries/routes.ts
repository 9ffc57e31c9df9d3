/**
 * Operator endpoints over the outbox: list by status, one message with its attempts,
 * redelivery (one message, or in bulk by status and time) and purging what is finished.
 */
import { deliveryDeps, redeliverMany, redeliverOne } from '../ops-outbox';
import { z } from 'zod';
import { getMessageWithAttempts, listMessages } from '../../../db/emitter/deliveries';
import { purgeMessages } from '../../../db/emitter/retention';
import { DELIVERY_STATUSES, DELIVERY_TRIGGERS, type DeliveryAttempt, type OutboxMessage } from '../../../db/emitter/schema';
import { ATTEMPT_OUTCOMES } from '../../../db/outbox/attempts';
import { withDatabase } from '../../platform/database-errors';
import { EVENT_TYPES, type EventType } from '../../contract/event-catalog';
import { apiError } from '../../platform/http/http-errors';
import { isoTime } from '../../platform/iso-time';
import { ApiRoutes } from '../../platform/openapi/api-routes';
import { errorResponses, json, jsonBody } from '../../platform/openapi/document';
import { nextCursor, PAGE_QUERY } from '../../platform/http/page-query';
import { PORTAL_API_TOKEN } from '../portal-api';
import type { EmitterApp } from '../types';

const TIME = z.string().describe('ISO-8601, UTC');

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
  trigger: z.enum(DELIVERY_TRIGGERS).describe('reconcile: sent again because the receiver had no record of it'),
  started_at: TIME,
  duration_ms: z.number().int(),
  status_code: z.number().int().nullable(),
  error: z.string().nullable(),
  response_body: z.string().nullable().describe("The first 2 KiB of Ops' answer"),
  outcome: z.enum(ATTEMPT_OUTCOMES),
  next_attempt_at: TIME.nullable(),
});

export const DELIVERY_PAGE = z.object({ deliveries: z.array(DELIVERY), next_cursor: z.number().int().nullable() });
export const DELIVERY_WITH_ATTEMPTS = z.object({ delivery: DELIVERY, attempts: z.array(ATTEMPT) });
export const REQUEUED_ONE = z.object({ status: z.literal('requeued'), id: z.string() });
export const REQUEUED_MANY = z.object({ status: z.literal('requeued'), count: z.number().int() });

const MESSAGE_ID = z.object({ id: z.string().describe('A message id, `msg_…`') });

function messageJson(m: OutboxMessage): z.infer<typeof DELIVERY> {
  return {
    id: m.id,
    seq: m.seq,
    event: m.eventType as EventType,
    domain: m.domain,
    session_id: m.sessionId,
    status: m.status,
    attempts: m.attempts,
    next_attempt_at: m.status === 'pending' ? isoTime(m.nextAttemptAt) : null,
    last_status: m.lastStatus,
    last_error: m.lastError,
    created_at: isoTime(m.createdAt)!,
    delivered_at: isoTime(m.deliveredAt),
  };
}

function attemptJson(a: DeliveryAttempt): z.infer<typeof ATTEMPT> {
  return {
    attempt: a.attemptNo,
    trigger: a.trigger,
    started_at: isoTime(a.startedAt)!,
    duration_ms: a.durationMs,
    status_code: a.statusCode,
    error: a.error,
    response_body: a.responseBody,
    outcome: a.outcome,
    next_attempt_at: isoTime(a.nextAttemptAt),
  };
}

const DELIVERIES = { tags: ['deliveries'], security: PORTAL_API_TOKEN };

export const deliveries = new ApiRoutes<EmitterApp>();

deliveries.route(
  {
    method: 'get',
    path: '/v1/deliveries',
    summary: 'List outbox messages, newest first',
    ...DELIVERIES,
    request: { query: DELIVERY_LIST_QUERY },
    responses: { 200: json('A page of messages.', DELIVERY_PAGE), ...errorResponses(401, 422, 503) },
  },
  async function listDeliveries(c) {
    const { status, limit, cursor } = c.req.valid('query');
    const page = await withDatabase(() => listMessages(c.var.services.db, { status, limit, before: cursor }));
    return c.json({ deliveries: page.items.map(messageJson), next_cursor: nextCursor(page, (m) => m.seq) } satisfies z.infer<typeof DELIVERY_PAGE>);
  },
);

deliveries.route(
  {
    method: 'post',
    path: '/v1/deliveries/redeliver',
    summary: 'Put every message of a status (since a time) back in line',
    ...DELIVERIES,
    request: { body: jsonBody(BULK_REDELIVER) },
    responses: { 202: json('Requeued.', REQUEUED_MANY), ...errorResponses(400, 401, 415, 422, 503) },
  },
  async function redeliverInBulk(c) {
    const body = c.req.valid('json');
    const count = await redeliverMany(deliveryDeps(c), body.status, body.since ? Date.parse(body.since) : undefined);
    c.var.logger.info('bulk redeliver', { status: body.status, since: body.since, count });
    return c.json({ status: 'requeued', count } satisfies z.infer<typeof REQUEUED_MANY>, 202);
  },
);

deliveries.route(
  {
    method: 'post',
    path: '/v1/deliveries/purge',
    summary: 'Delete every message of a status accepted before a time, with its attempts',
    description: 'Dead messages are kept until redelivered or purged here: each is a customer event that never arrived.',
    ...DELIVERIES,
    request: { body: jsonBody(PURGE) },
    responses: { 200: json('Deleted.', PURGED), ...errorResponses(400, 401, 415, 422, 503) },
  },
  async function purgeDeliveries(c) {
    const body = c.req.valid('json');
    const count = await withDatabase(() => purgeMessages(c.var.services.db, body.status, Date.parse(body.before)));
    c.var.logger.warn('purged messages', { status: body.status, before: body.before, count });
    return c.json({ status: 'purged', count } satisfies z.infer<typeof PURGED>);
  },
);

deliveries.route(
  {
    method: 'get',
    path: '/v1/deliveries/{id}',
    summary: 'One message with every attempt',
    ...DELIVERIES,
    request: { params: MESSAGE_ID },
    responses: { 200: json('The message and its attempts, oldest first.', DELIVERY_WITH_ATTEMPTS), ...errorResponses(401, 404, 503) },
  },
  async function getDelivery(c) {
    const { id } = c.req.valid('param');
    const found = await withDatabase(() => getMessageWithAttempts(c.var.services.db, id));
    if (!found) throw apiError(404, 'not_found', `no delivery ${id}`);
    return c.json({ delivery: messageJson(found.message), attempts: found.attempts.map(attemptJson) } satisfies z.infer<typeof DELIVERY_WITH_ATTEMPTS>);
  },
);

deliveries.route(
  {
    method: 'post',
    path: '/v1/deliveries/{id}/redeliver',
    summary: 'Send one message again now (even if delivered)',
    ...DELIVERIES,
    request: { params: MESSAGE_ID },
    responses: { 202: json('Requeued; the attempt follows.', REQUEUED_ONE), ...errorResponses(401, 404, 503) },
  },
  async function redeliverById(c) {
    const { id } = c.req.valid('param');
    if (!(await redeliverOne(deliveryDeps(c), id, (work) => c.executionCtx.waitUntil(work)))) throw apiError(404, 'not_found', `no delivery ${id}`);
    Object.assign(c.var.accessLog, { message_id: id });
    return c.json({ status: 'requeued', id } satisfies z.infer<typeof REQUEUED_ONE>, 202);
  },
);
