/** POST /v1/events: the portal's call. Validate, store in the outbox, answer 202; delivery runs after. */
import { deliverMessage, deliveryDeps, leaseMs } from '../ops-outbox';
import { z } from 'zod';
import { DELIVERY_STATUSES } from '../../../db/emitter/schema';
import { withDatabase } from '../../platform/database-errors';
import { EVENT_BODY } from '../../contract/event-catalog';
import { parseEventBody } from '../../platform/http/event-body';
import { apiError } from '../../platform/http/http-errors';
import { ApiRoutes } from '../../platform/openapi/api-routes';
import { errorResponses, json, jsonBody } from '../../platform/openapi/document';
import { PORTAL_API_TOKEN } from '../portal-api';
import type { EmitterApp } from '../types';
import { acceptEvent, deliverableBody } from './accept-event';

export const ACCEPTED = z.object({
  status: z.literal('accepted'),
  id: z.string().describe('The message id; sent to Ops as `webhook-id` on every attempt'),
  duplicate: z.boolean().describe('true when this (event, session_id, domain) was accepted before: the same id'),
  delivery: z.enum(DELIVERY_STATUSES).describe('pending (delivery follows), or skipped when OPS_WEBHOOK_ENABLED=false'),
});

export const events = new ApiRoutes<EmitterApp>().route(
  {
    method: 'post',
    path: '/v1/events',
    summary: 'Accept an onboarding event from the portal',
    description:
      'Validates the event, stores it in the durable outbox and answers 202 at once; delivery to Ops follows, with retries. ' +
      'The same (event, session_id, domain) twice keeps one message. An event whose delivered body would exceed MAX_BODY_BYTES is refused (413).',
    tags: ['events'],
    security: PORTAL_API_TOKEN,
    // The catalog's rules go beyond the body's schema: the x-onboarding-session header may supply session_id.
    parseBody: parseEventBody,
    request: { body: jsonBody(EVENT_BODY) },
    responses: { 202: json('Stored; delivery follows.', ACCEPTED), ...errorResponses(400, 401, 405, 413, 415, 422, 503) },
  },
  async function acceptPortalEvent(c) {
    const deps = deliveryDeps(c);
    const maxBytes = deps.config.MAX_BODY_BYTES;
    const event = c.req.valid('json');
    Object.assign(c.var.accessLog, { event: event.event, domain: event.domain, session_id: event.session_id });

    const now = deps.now();
    const deliverable = deliverableBody(event, now, maxBytes);
    if (!deliverable.ok) {
      throw apiError(413, 'payload_too_large', `the event as delivered would be ${deliverable.bytes} bytes; Ops accepts at most ${maxBytes}`);
    }
    const { message, created, claimed } = await withDatabase(() =>
      acceptEvent(deps.db, event, deliverable.body, deps.config.OPS_WEBHOOK_ENABLED, now, leaseMs(deps.config)),
    );
    Object.assign(c.var.accessLog, { message_id: message.id, duplicate: !created, delivery: message.status });
    // The event is committed (and leased to this request if first in line): deliver it right away
    // without holding the portal's answer. If this is cut short by a restart, the lease is voided
    // at the next start and the sweep delivers it.
    if (claimed) {
      c.executionCtx.waitUntil(
        deliverMessage(deps, message, 'accept').catch((err: Error) =>
          c.var.logger.warn('immediate delivery failed; the sweep will retry', { message_id: message.id, error: err.message }),
        ),
      );
    }
    return c.json({ status: 'accepted', id: message.id, duplicate: !created, delivery: message.status } satisfies z.infer<typeof ACCEPTED>, 202);
  },
);
