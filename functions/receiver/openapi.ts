/** The receiver's OpenAPI 3.1 document, generated from the schemas its routes validate with. */
import { z } from 'zod';
import { EVENT_BODY } from '../shared/event-catalog';
import { buildDocument, errorResponses, json, newRegistry, registerCommonPaths, type OpenApiDocument } from '../shared/openapi';
import { INTAKE_RESULT, RECEIPTS_ANSWER, RECEIPTS_REQUEST, RECEIVER_HEALTH, TICKET_ID, TICKET_LIST_QUERY, TICKET_PAGE, TICKET_WITH_EVENTS } from './api-schemas';

const SIGNATURE_HEADERS = z.object({
  'webhook-id': z.string().optional().describe('Standard Webhooks: the message id, the same on every retry of one event.'),
  'webhook-timestamp': z.string().optional().describe('Standard Webhooks: Unix seconds; refused outside ±5 minutes.'),
  'webhook-signature': z
    .string()
    .optional()
    .describe('Standard Webhooks: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, space-separated when several keys sign.'),
  'x-onboarding-session': z.string().optional().describe('May stand in for a missing `session_id`; must agree with one that is present.'),
});

function registry() {
  const r = newRegistry();
  r.registerComponent('securitySchemes', 'webhookSecret', {
    type: 'apiKey',
    in: 'header',
    name: 'X-Webhook-Secret',
    description: 'The shared secret (WEBHOOK_SECRET, or WEBHOOK_SECRET_PREVIOUS during a rotation).',
  });
  r.registerComponent('securitySchemes', 'standardWebhooks', {
    type: 'apiKey',
    in: 'header',
    name: 'webhook-signature',
    description:
      'A Standard Webhooks signature over the raw body with the shared secret, with `webhook-id` and `webhook-timestamp`. ' +
      'Signature headers that are present must verify, even beside a good secret header; WEBHOOK_REQUIRE_SIGNATURE makes them mandatory.',
  });
  r.registerComponent('securitySchemes', 'ticketsToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'TICKETS_API_TOKEN, the read API\'s own credential. Unset, the read API answers 404.',
  });
  const auth: Record<string, string[]>[] = [{ webhookSecret: [] }, { standardWebhooks: [] }];
  const readAuth: Record<string, string[]>[] = [{ ticketsToken: [] }];

  r.registerPath({
    method: 'post',
    path: '/api/v1/webhooks/onboard',
    summary: 'Deliver an onboarding event',
    description:
      'Records the event once per (event, session_id, domain) and per webhook-id, and opens or extends a desk ticket. ' +
      'A repeat answers 200 with the same ids. Authentication is checked before the body is read.',
    tags: ['webhooks'],
    security: auth,
    request: { headers: SIGNATURE_HEADERS, body: { required: true, content: { 'application/json': { schema: EVENT_BODY } } } },
    responses: {
      201: json('Recorded for the first time.', INTAKE_RESULT),
      200: json('Already recorded (a duplicate): the same event and ticket ids.', INTAKE_RESULT),
      ...errorResponses(400, 401, 405, 409, 413, 415, 422, 503),
    },
  });
  r.registerPath({
    method: 'post',
    path: '/api/v1/webhooks/receipts',
    summary: 'Which delivered events are not on record here',
    description:
      "The emitter's reconciliation: for up to 500 events it delivered, the ids whose (event, session_id, domain) this receiver " +
      'has no record of (after a restore from backup, or any loss on this side). It delivers those again. Authenticated like intake.',
    tags: ['webhooks'],
    security: auth,
    request: { headers: SIGNATURE_HEADERS, body: { required: true, content: { 'application/json': { schema: RECEIPTS_REQUEST } } } },
    responses: { 200: json('The ids not on record (empty when all are).', RECEIPTS_ANSWER), ...errorResponses(400, 401, 405, 413, 415, 422, 503) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/v1/tickets',
    summary: 'List desk tickets, newest first',
    tags: ['tickets'],
    security: readAuth,
    request: { query: TICKET_LIST_QUERY },
    responses: { 200: json('A page of tickets.', TICKET_PAGE), ...errorResponses(401, 404, 422, 503) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/v1/tickets/{id}',
    summary: 'One ticket with its timeline',
    tags: ['tickets'],
    security: readAuth,
    request: { params: z.object({ id: TICKET_ID }) },
    responses: { 200: json('The ticket and its events, oldest first.', TICKET_WITH_EVENTS), ...errorResponses(401, 404, 503) },
  });
  registerCommonPaths(r, RECEIVER_HEALTH);
  return r;
}

let document: OpenApiDocument | undefined;

/** The document (built once per process). */
export function receiverDocument(): OpenApiDocument {
  document ??= buildDocument(
    registry(),
    'ops-webhook receiver (Ops, VM122)',
    'Authenticated, idempotent intake of onboarding events from the portal; each one recorded once and put on the Ops desk.',
    [{ url: 'http://10.10.10.122:8080', description: 'Production (LAN)' }],
  );
  return document;
}
