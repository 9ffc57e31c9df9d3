/**
 * POST /api/v1/webhooks/onboard: authenticated (middleware: secret header, bounded body, then
 * signature over the raw bytes), parsed, validated against the catalog, recorded idempotently.
 */
import { Hono } from 'hono';
import { withDatabase } from '../../shared/database-errors';
import { parseOnboardingEvent } from '../../shared/event-catalog';
import { apiError, methodNotAllowed } from '../../shared/http-errors';
import { parseJson, validationFailed } from '../../shared/json-request';
import { authenticate } from '../webhook-auth/authenticate';
import { countRejections } from './count-rejections';
import { intakeEvent } from './intake-event';
import type { ReceiverApp } from '../types';

export const webhooks = new Hono<ReceiverApp>();

webhooks.post('/onboard', countRejections, authenticate(), async function receiveOnboardEvent(c) {
  const parsed = parseOnboardingEvent(parseJson(c.var.rawBody), c.req.header('x-onboarding-session'));
  if (!parsed.ok) throw validationFailed(parsed.issues);
  const { event, domain, session_id } = parsed.event;
  Object.assign(c.var.log, { event, domain, session_id });

  const outcome = await withDatabase(() => intakeEvent(c.var.db, parsed.event, c.req.header('webhook-id') ?? null));
  if (outcome.conflict) {
    // A webhook-id names one message; reusing it for another event is a sender bug, never a duplicate.
    throw apiError(409, 'webhook_id_conflict', 'this webhook-id was already used for a different event; nothing was recorded');
  }
  Object.assign(c.var.log, { event_id: outcome.eventId, ticket_id: outcome.ticketId, duplicate: !outcome.created });
  return c.json(
    {
      status: outcome.created ? 'created' : 'duplicate',
      event_id: outcome.eventId,
      ticket_id: outcome.ticketId,
      duplicate: !outcome.created,
    },
    outcome.created ? 201 : 200,
  );
});

webhooks.all('/onboard', methodNotAllowed(['POST']));
