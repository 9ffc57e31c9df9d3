/**
 * Operator endpoints over the outbox: list by status, one message with its attempts, and
 * redelivery (one message, or in bulk by status and time).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { getMessageWithAttempts, listMessages } from '../../../db/emitter/queries';
import { purgeMessages } from '../../../db/emitter/retention';
import type { DeliveryAttempt, OutboxMessage } from '../../../db/emitter/schema';
import { withDatabase } from '../../shared/database-errors';
import { apiError, methodNotAllowed } from '../../shared/http-errors';
import { readJsonBody, validationFailed } from '../../shared/json-request';
import type { EventType } from '../../shared/event-catalog';
import { nextCursor } from '../../shared/page-query';
import { isoTime } from '../../shared/iso-time';
import { ATTEMPT, BULK_REDELIVER, DELIVERY, DELIVERY_LIST_QUERY, PURGE } from '../api-schemas';
import { redeliverMany, redeliverOne } from '../delivery/redeliver';
import type { EmitterApp } from '../types';

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
    trigger: a.trigger as z.infer<typeof ATTEMPT>['trigger'],
    started_at: isoTime(a.startedAt)!,
    duration_ms: a.durationMs,
    status_code: a.statusCode,
    error: a.error,
    response_body: a.responseBody,
    outcome: a.outcome as z.infer<typeof ATTEMPT>['outcome'],
    next_attempt_at: isoTime(a.nextAttemptAt),
  };
}

export const deliveries = new Hono<EmitterApp>();

deliveries.get('/', async function listDeliveries(c) {
  const query = DELIVERY_LIST_QUERY.safeParse(c.req.query());
  if (!query.success) throw validationFailed(query.error);
  const { status, limit, cursor } = query.data;
  const page = await withDatabase(() => listMessages(c.var.deps.db, { status, limit, before: cursor }));
  return c.json({ deliveries: page.items.map(messageJson), next_cursor: nextCursor(page, (m) => m.seq) });
});

deliveries.post('/redeliver', async function redeliverInBulk(c) {
  const body = await readJsonBody(c.req.raw, c.var.config.MAX_BODY_BYTES, BULK_REDELIVER);
  const count = await redeliverMany(c.var.deps, body.status, body.since ? Date.parse(body.since) : undefined);
  c.var.logger.info('bulk redeliver', { status: body.status, since: body.since, count });
  return c.json({ status: 'requeued', count }, 202);
});

deliveries.post('/purge', async function purgeDeliveries(c) {
  const body = await readJsonBody(c.req.raw, c.var.config.MAX_BODY_BYTES, PURGE);
  const count = await withDatabase(() => purgeMessages(c.var.deps.db, body.status, Date.parse(body.before)));
  c.var.logger.warn('purged messages', { status: body.status, before: body.before, count });
  return c.json({ status: 'purged' as const, count });
});

deliveries.get('/:id', async function getDelivery(c) {
  const found = await withDatabase(() => getMessageWithAttempts(c.var.deps.db, c.req.param('id')));
  if (!found) throw apiError(404, 'not_found', `no delivery ${c.req.param('id')}`);
  return c.json({ delivery: messageJson(found.message), attempts: found.attempts.map(attemptJson) });
});

deliveries.post('/:id/redeliver', async function redeliverById(c) {
  const id = c.req.param('id');
  if (!(await redeliverOne(c.var.deps, id, (work) => c.executionCtx.waitUntil(work)))) throw apiError(404, 'not_found', `no delivery ${id}`);
  Object.assign(c.var.log, { message_id: id });
  return c.json({ status: 'requeued', id }, 202);
});

deliveries.all('/', methodNotAllowed(['GET']));
deliveries.all('/redeliver', methodNotAllowed(['POST']));
deliveries.all('/purge', methodNotAllowed(['POST']));
deliveries.all('/:id', methodNotAllowed(['GET']));
deliveries.all('/:id/redeliver', methodNotAllowed(['POST']));
