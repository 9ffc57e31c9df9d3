/**
 * POST /api/v1/webhooks/onboard: authenticate (header, then signature over the raw bytes),
 * bound the body, parse, validate against the catalog, record idempotently.
 */
import { Hono } from 'hono';
import { receiverDb } from '../../../db/receiver/client';
import { withDatabase } from '../../shared/database-errors';
import { parseOnboardingEvent } from '../../shared/event-catalog';
import { apiError, methodNotAllowed } from '../../shared/http-errors';
import { assertJsonContentType, parseJson, readBodyText, validationFailed } from '../../shared/json-request';
import { authenticateHeaders, authenticateSignature, type AuthFailure } from '../services/authenticate';
import { intakeEvent } from '../services/intake';
import type { ReceiverApp } from '../types';

function unauthorized(reason: AuthFailure) {
  const message =
    reason === 'stale_timestamp'
      ? 'webhook-timestamp is outside the accepted window of 5 minutes'
      : 'authentication failed';
  return apiError(401, 'unauthorized', message, { headers: { 'www-authenticate': 'X-Webhook-Secret' } });
}

export const webhooks = new Hono<ReceiverApp>();

webhooks.post('/onboard', async function receiveOnboardEvent(c) {
  const config = c.var.config;
  const headers = c.req.raw.headers;
  const webhookId = c.req.header('webhook-id') ?? null;
  Object.assign(c.var.log, { webhook_id: webhookId ?? undefined });
  const fail = (reason: AuthFailure) => {
    Object.assign(c.var.log, {
      reason,
      client_ip: peerAddress(c.req.raw),
      forwarded_for: headers.get('x-forwarded-for')?.slice(0, 200) ?? undefined,
    });
    return unauthorized(reason);
  };

  const pre = await authenticateHeaders(headers, config);
  if (!pre.ok) throw fail(pre.reason);
  assertJsonContentType(c.req.raw);
  const raw = await readBodyText(c.req.raw);
  if (pre.signed) {
    const verified = authenticateSignature(headers, raw, config);
    if (!verified.ok) throw fail(verified.reason);
  }

  const parsed = parseOnboardingEvent(parseJson(raw), c.req.header('x-onboarding-session'));
  if (!parsed.ok) throw validationFailed(parsed.issues);
  const event = parsed.event;
  Object.assign(c.var.log, { event: event.event, domain: event.domain, session_id: event.session_id });

  const outcome = await withDatabase(() => intakeEvent(receiverDb(c.env), event, webhookId));
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

/**
 * The caller's address: workerd puts the connection's peer in `request.cf.clientIp`
 * ("ip" or "ip:port"); proxy headers are logged apart, as `forwarded_for`, since anyone can send them.
 */
function peerAddress(request: Request): string | undefined {
  const cf = (request as { cf?: { clientIp?: unknown } }).cf;
  const address = typeof cf?.clientIp === 'string' ? cf.clientIp : undefined;
  if (address === undefined) return undefined;
  if (address.startsWith('[')) return address.slice(1, address.indexOf(']'));
  // One colon: IPv4 with a port. More: a bare IPv6 address.
  return address.split(':').length === 2 ? address.split(':')[0] : address;
}
