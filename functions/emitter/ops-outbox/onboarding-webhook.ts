/**
 * The call this function makes: what the emitter sends to Ops, documented as the emitter
 * document's webhook (OpenAPI `webhooks`), beside the code that sends it (deliver.ts, ops-request.ts).
 */
import { z } from 'zod';
import { EVENT_BODY } from '../../contract/event-catalog';
import { ApiRoutes } from '../../platform/openapi/api-routes';
import { jsonBody } from '../../platform/openapi/document';
import type { EmitterApp } from '../types';

export const onboardingWebhook = new ApiRoutes<EmitterApp>().webhook({
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
    body: jsonBody(EVENT_BODY),
  },
  responses: {
    201: { description: 'Delivered (first time).' },
    200: { description: 'Delivered (Ops had it already).' },
    409: { description: 'The webhook-id names another event at Ops: dead.' },
    422: { description: 'Refused by Ops: dead, with the reason.' },
    503: { description: 'Ops unavailable: retried after Retry-After.' },
  },
});
