/**
 * How the routes the emitter calls (intake, receipts) say in their declarations that they take
 * the webhook credentials: the two security schemes, and the headers a signature travels in.
 */
import type { Env } from 'hono';
import { z } from 'zod';
import type { ApiRoutes } from '../../shared/openapi/api-routes';

export const SIGNATURE_HEADERS = z.object({
  'webhook-id': z.string().optional().describe('Standard Webhooks: the message id, the same on every retry of one event.'),
  'webhook-timestamp': z.string().optional().describe('Standard Webhooks: Unix seconds; refused outside ±5 minutes.'),
  'webhook-signature': z
    .string()
    .optional()
    .describe('Standard Webhooks: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, space-separated when several keys sign.'),
  'x-onboarding-session': z.string().optional().describe('May stand in for a missing `session_id`; must agree with one that is present.'),
});

/** Either credential opens these routes. */
export const WEBHOOK_SECURITY: Record<string, string[]>[] = [{ webhookSecret: [] }, { standardWebhooks: [] }];

/** `routes`, with the schemes {@link WEBHOOK_SECURITY} names. */
export function withWebhookSchemes<E extends Env>(routes: ApiRoutes<E>): ApiRoutes<E> {
  return routes
    .component('securitySchemes', 'webhookSecret', {
      type: 'apiKey',
      in: 'header',
      name: 'X-Webhook-Secret',
      description: 'The shared secret (WEBHOOK_SECRET, or WEBHOOK_SECRET_PREVIOUS during a rotation).',
    })
    .component('securitySchemes', 'standardWebhooks', {
      type: 'apiKey',
      in: 'header',
      name: 'webhook-signature',
      description:
        'A Standard Webhooks signature over the raw body with the shared secret, with `webhook-id` and `webhook-timestamp`. ' +
        'Signature headers that are present must verify, even beside a good secret header; WEBHOOK_REQUIRE_SIGNATURE makes them mandatory.',
    });
}
