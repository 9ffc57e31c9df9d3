/** POST /v1/events: the portal's call. Validate, store in the outbox, answer 202; delivery runs after. */
import { Hono } from 'hono';
import { withDatabase } from '../../shared/database-errors';
import { parseOnboardingEvent } from '../../shared/event-catalog';
import { apiError, methodNotAllowed } from '../../shared/http-errors';
import { assertJsonContentType, parseJson, readBodyText, validationFailed } from '../../shared/json-request';
import { acceptEvent, deliverableBody } from './accept-event';
import { deliverMessage, leaseMs } from '../delivery/deliver';
import type { EmitterApp } from '../types';

export const events = new Hono<EmitterApp>();

events.post('/', async function acceptPortalEvent(c) {
  const { deps } = c.var;
  const maxBytes = deps.config.MAX_BODY_BYTES;
  assertJsonContentType(c.req.raw);
  const parsed = parseOnboardingEvent(parseJson(await readBodyText(c.req.raw, maxBytes)), c.req.header('x-onboarding-session'));
  if (!parsed.ok) throw validationFailed(parsed.issues);
  const event = parsed.event;
  Object.assign(c.var.log, { event: event.event, domain: event.domain, session_id: event.session_id });

  const now = deps.now();
  const deliverable = deliverableBody(event, now, maxBytes);
  if (!deliverable.ok) {
    throw apiError(413, 'payload_too_large', `the event as delivered would be ${deliverable.bytes} bytes; Ops accepts at most ${maxBytes}`);
  }
  const { message, created, claimed } = await withDatabase(() =>
    acceptEvent(deps.db, event, deliverable.body, deps.config.OPS_WEBHOOK_ENABLED, now, leaseMs(deps.config)),
  );
  Object.assign(c.var.log, { message_id: message.id, duplicate: !created, delivery: message.status });
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
  return c.json({ status: 'accepted', id: message.id, duplicate: !created, delivery: message.status }, 202);
});

events.all('/', methodNotAllowed(['POST']));
