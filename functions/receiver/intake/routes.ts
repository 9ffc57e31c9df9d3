/**
 * POST /api/v1/webhooks/onboard: authenticated (its declared security: secret header, bounded
 * body, then signature over the raw bytes), parsed, validated against the catalog, recorded idempotently.
 */
import { z } from 'zod';
import { withDatabase } from '../../platform/database-errors';
import { EVENT_BODY } from '../../contract/event-catalog';
import { parseEventBody } from '../../platform/http/event-body';
import { apiError } from '../../platform/http/http-errors';
import { ApiRoutes } from '../../platform/openapi/api-routes';
import { errorResponses, json, jsonBody } from '../../platform/openapi/document';
import type { ReceiverApp } from '../types';
import { SIGNED_REQUEST_HEADERS, webhookCredentials } from '../webhook-auth';
import { countRejections } from './count-rejections';
import { intakeEvent } from './intake-event';
import { configuredChannels, drainNotifications, notifyDeps } from '../notify-outbox';
import { inBackground } from '../../platform/http/background';

export const INTAKE_RESULT = z.object({
  status: z.enum(['created', 'duplicate']),
  event_id: z.number().int(),
  ticket_id: z.number().int().nullable().describe('null for a timeline event of a session that has no open ticket yet'),
  duplicate: z.boolean(),
});

export const intake = new ApiRoutes<ReceiverApp>().route(
  {
    method: 'post',
    path: '/api/v1/webhooks/onboard',
    summary: 'Deliver an onboarding event',
    description:
      'Records the event once per (event, session_id, domain) and per webhook-id, and opens or extends a desk ticket. ' +
      'A repeat answers 200 with the same ids. Authentication is checked before the body is read.',
    tags: ['webhooks'],
    security: webhookCredentials(),
    // Counts every refusal, the security's included.
    observe: [countRejections],
    // The catalog's rules go beyond the body's schema: the x-onboarding-session header may supply session_id.
    parseBody: parseEventBody,
    request: { headers: SIGNED_REQUEST_HEADERS, body: jsonBody(EVENT_BODY) },
    responses: {
      201: json('Recorded for the first time.', INTAKE_RESULT),
      200: json('Already recorded (a duplicate): the same event and ticket ids.', INTAKE_RESULT),
      ...errorResponses(400, 401, 405, 409, 413, 415, 422, 503),
    },
  },
  async function receiveOnboardEvent(c) {
    const received = c.req.valid('json');
    const { event, domain, session_id } = received;
    Object.assign(c.var.accessLog, { event, domain, session_id });

    const channels = configuredChannels(c.var.config);
    const outcome = await withDatabase(() => intakeEvent(c.var.services.db, received, c.req.header('webhook-id') ?? null, c.var.services.now(), channels));
    if (outcome.conflict) {
      // A webhook-id names one message; reusing it for another event is a sender bug, never a duplicate.
      throw apiError(409, 'webhook_id_conflict', 'this webhook-id was already used for a different event; nothing was recorded');
    }
    Object.assign(c.var.accessLog, { event_id: outcome.eventId, ticket_id: outcome.ticketId, duplicate: !outcome.created });
    // The notifications are committed with the ticket; sending them now is a head start on the
    // sweep, which sends whatever this leaves (a stop drops work left to waitUntil).
    if (outcome.created && outcome.notifies) inBackground(c, drainNotifications(notifyDeps(c), 10_000).catch(() => undefined));
    const answer: z.infer<typeof INTAKE_RESULT> = {
      status: outcome.created ? 'created' : 'duplicate',
      event_id: outcome.eventId,
      ticket_id: outcome.ticketId,
      duplicate: !outcome.created,
    };
    return c.json(answer, outcome.created ? 201 : 200);
  },
);
