/**
 * The credential of the portal's API routes (events, deliveries): the bearer token, documented
 * and enforced from each route's declaration (`security: PORTAL_API_TOKEN`).
 */
import { requireBearer } from '../platform/http/bearer-token';
import type { SecurityScheme } from '../platform/openapi/security-scheme';
import type { EmitterApp } from './types';

export const PORTAL_API_TOKEN: SecurityScheme<EmitterApp> = {
  schemes: [
    {
      name: 'apiToken',
      value: {
        type: 'http',
        scheme: 'bearer',
        description: 'EMITTER_API_TOKEN, or the token the host made at first start (the file beside the database); always required.',
      },
    },
  ],
  // Never open: without a configured token the API answers 503.
  enforce: requireBearer<EmitterApp>((c) => c.var.config.EMITTER_API_TOKEN, 'unavailable'),
};
