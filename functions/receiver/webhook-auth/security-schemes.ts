/**
 * How the routes the emitter calls (intake, receipts) take the webhook credentials: the two
 * security schemes with the middleware that enforces them, and the headers a signature travels in.
 */
import { z } from 'zod';
import type { SecurityScheme } from '../../platform/openapi/security-scheme';
import type { ReceiverApp } from '../types';
import { authenticate, type AuthenticateOptions } from './authenticate';

export const SIGNED_REQUEST_HEADERS = z.object({
  'webhook-id': z.string().optional().describe('Standard Webhooks: the message id, the same on every retry of one event.'),
  'webhook-timestamp': z.string().optional().describe('Standard Webhooks: Unix seconds; refused outside ±5 minutes.'),
  'webhook-signature': z
    .string()
    .optional()
    .describe('Standard Webhooks: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, space-separated when several keys sign.'),
  'x-onboarding-session': z.string().optional().describe('May stand in for a missing `session_id`; must agree with one that is present.'),
});

/**
 * The webhook credentials, either of which opens the emitter's routes (intake, receipts):
 * documented and enforced from each route's declaration (`security: webhookCredentials()`).
 */
export function webhookCredentials(options: AuthenticateOptions = {}): SecurityScheme<ReceiverApp> {
  return {
    schemes: [
      {
        name: 'webhookSecret',
        value: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Webhook-Secret',
          description: 'The shared secret (WEBHOOK_SECRET, or WEBHOOK_SECRET_PREVIOUS during a rotation).',
        },
      },
      {
        name: 'standardWebhooks',
        value: {
          type: 'apiKey',
          in: 'header',
          name: 'webhook-signature',
          description:
            'A Standard Webhooks signature over the raw body with the shared secret, with `webhook-id` and `webhook-timestamp`. ' +
            'Signature headers that are present must verify, even beside a good secret header; WEBHOOK_REQUIRE_SIGNATURE makes them mandatory.',
        },
      },
    ],
    enforce: authenticate(options),
  };
}
