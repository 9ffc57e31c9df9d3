/**
 * The emitter's OpenAPI 3.1 document, generated from the schemas its routes validate with; under
 * the top-level `webhooks`, the delivery it sends to Ops.
 */
import { z } from 'zod';
import { EVENT_BODY } from '../shared/event-catalog';
import { buildDocument, errorResponses, json, newRegistry, registerCommonPaths, type OpenApiDocument } from '../shared/openapi';
import { ACCEPTED, BULK_REDELIVER, DELIVERY_LIST_QUERY, DELIVERY_PAGE, DELIVERY_WITH_ATTEMPTS, EMITTER_HEALTH, PURGE, PURGED, REQUEUED_MANY, REQUEUED_ONE } from './api-schemas';

const MESSAGE_ID = z.object({ id: z.string().describe('A message id, `msg_…`') });

function registry() {
  const r = newRegistry();
  r.registerComponent('securitySchemes', 'apiToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'EMITTER_API_TOKEN; required only when it is set (it must be when the emitter listens beyond loopback).',
  });
  const auth: Record<string, string[]>[] = [{}, { apiToken: [] }];

  r.registerPath({
    method: 'post',
    path: '/v1/events',
    summary: 'Accept an onboarding event from the portal',
    description:
      'Validates the event, stores it in the durable outbox and answers 202 at once; delivery to Ops follows, with retries. ' +
      'The same (event, session_id, domain) twice keeps one message. An event whose delivered body would exceed MAX_BODY_BYTES is refused (413).',
    tags: ['events'],
    security: auth,
    request: { body: { required: true, content: { 'application/json': { schema: EVENT_BODY } } } },
    responses: { 202: json('Stored; delivery follows.', ACCEPTED), ...errorResponses(400, 401, 405, 413, 415, 422, 503) },
  });
  r.registerPath({
    method: 'get',
    path: '/v1/deliveries',
    summary: 'List outbox messages, newest first',
    tags: ['deliveries'],
    security: auth,
    request: { query: DELIVERY_LIST_QUERY },
    responses: { 200: json('A page of messages.', DELIVERY_PAGE), ...errorResponses(401, 422, 503) },
  });
  r.registerPath({
    method: 'post',
    path: '/v1/deliveries/redeliver',
    summary: 'Put every message of a status (since a time) back in line',
    tags: ['deliveries'],
    security: auth,
    request: { body: { required: true, content: { 'application/json': { schema: BULK_REDELIVER } } } },
    responses: { 202: json('Requeued.', REQUEUED_MANY), ...errorResponses(400, 401, 415, 422, 503) },
  });
  r.registerPath({
    method: 'post',
    path: '/v1/deliveries/purge',
    summary: 'Delete every message of a status accepted before a time, with its attempts',
    description: 'Dead messages are kept until redelivered or purged here: each is a customer event that never arrived.',
    tags: ['deliveries'],
    security: auth,
    request: { body: { required: true, content: { 'application/json': { schema: PURGE } } } },
    responses: { 200: json('Deleted.', PURGED), ...errorResponses(400, 401, 415, 422, 503) },
  });
  r.registerPath({
    method: 'get',
    path: '/v1/deliveries/{id}',
    summary: 'One message with every attempt',
    tags: ['deliveries'],
    security: auth,
    request: { params: MESSAGE_ID },
    responses: { 200: json('The message and its attempts, oldest first.', DELIVERY_WITH_ATTEMPTS), ...errorResponses(401, 404, 503) },
  });
  r.registerPath({
    method: 'post',
    path: '/v1/deliveries/{id}/redeliver',
    summary: 'Send one message again now (even if delivered)',
    tags: ['deliveries'],
    security: auth,
    request: { params: MESSAGE_ID },
    responses: { 202: json('Requeued; the attempt follows.', REQUEUED_ONE), ...errorResponses(401, 404, 503) },
  });
  r.registerWebhook({
    method: 'post',
    path: 'onboardingEvent',
    summary: 'What the emitter sends to Ops (OPS_WEBHOOK_URL)',
    description:
      'The body is frozen at acceptance (with `occurred_at` filled in) and signed again on each attempt. Only 2xx delivers. ' +
      '400/409/413/415/422 make the message dead at once; 429 and 503 are retried no sooner than Retry-After; anything else ' +
      'follows the retry schedule (1 s, 3 s, 9 s, then 1 min … 24 h). Redirects are not followed.',
    request: {
      headers: z.object({
        'x-webhook-secret': z.string().describe('OPS_WEBHOOK_SECRET'),
        'webhook-id': z.string().describe('The message id, the same on every attempt'),
        'webhook-timestamp': z.string().describe('Unix seconds of this attempt'),
        'webhook-signature': z.string().describe('`v1,<base64 HMAC-SHA256>` (Standard Webhooks)'),
        'x-onboarding-session': z.string().describe('The event\'s session_id'),
        'user-agent': z.string().describe('`ops-webhook-emitter/<version> …`'),
      }),
      body: { required: true, content: { 'application/json': { schema: EVENT_BODY } } },
    },
    responses: {
      201: { description: 'Delivered (first time).' },
      200: { description: 'Delivered (Ops had it already).' },
      409: { description: 'The webhook-id names another event at Ops: dead.' },
      422: { description: 'Refused by Ops: dead, with the reason.' },
      503: { description: 'Ops unavailable: retried after Retry-After.' },
    },
  });
  registerCommonPaths(r, EMITTER_HEALTH);
  return r;
}

let document: OpenApiDocument | undefined;

/** The document (built once per process). */
export function emitterDocument(): OpenApiDocument {
  document ??= buildDocument(
    registry(),
    'ops-webhook emitter (portal, VM112)',
    "The portal's side of the link: accepts onboarding events in milliseconds, keeps them in a durable outbox, and delivers them signed to Ops.",
    [{ url: 'http://127.0.0.1:8787', description: 'On VM112 (loopback)' }],
  );
  return document;
}
