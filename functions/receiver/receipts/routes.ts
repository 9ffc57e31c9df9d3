/**
 * POST /api/v1/webhooks/receipts: the emitter's reconciliation asks which of the events it
 * delivered this receiver has no record of (after a restore from backup, or any loss on this
 * side), and delivers those again. Authenticated exactly like intake, on the same transport.
 */
import { z } from 'zod';
import { addToCounters } from '../../../db/metric-counters';
import { unrecordedKeys } from '../../../db/receiver/receipts';
import { withDatabase } from '../../platform/database-errors';
import { EVENT_TYPES, normaliseDomain } from '../../contract/event-catalog';
import { labelPairs } from '../../platform/metrics/exposition';
import { ApiRoutes } from '../../platform/openapi/api-routes';
import { errorResponses, json, jsonBody } from '../../platform/openapi/document';
import type { ReceiverApp } from '../types';
import { SIGNED_REQUEST_HEADERS, webhookCredentials } from '../webhook-auth';

export const RECEIPTS_METRIC = 'ops_webhook_receiver_receipts_total';

/** Most events one receipts request may ask about. */
export const MAX_RECEIPTS = 500;

/** A full page of the largest keys the schema allows, with room for JSON: far above any real page, and bounded. */
const RECEIPTS_MAX_BYTES = MAX_RECEIPTS * 1024;

/** What the emitter's reconciliation asks: the messages it delivered, by their business key. */
export const RECEIPTS_REQUEST = z.object({
  events: z
    .array(
      z.object({
        id: z.string().min(1).max(128).describe("The emitter's message id (msg_…), echoed back when missing"),
        event: z.enum(EVENT_TYPES),
        session_id: z.string().min(1).max(128),
        domain: z.string().min(1).max(253).transform(normaliseDomain),
      }),
    )
    .max(MAX_RECEIPTS, `at most ${MAX_RECEIPTS} events per request`),
});

export const RECEIPTS_ANSWER = z.object({
  missing: z.array(z.string()).describe('The ids whose (event, session_id, domain) this receiver has no record of'),
});

export const receipts = new ApiRoutes<ReceiverApp>().route(
  {
    method: 'post',
    path: '/api/v1/webhooks/receipts',
    summary: 'Which delivered events are not on record here',
    description:
      "The emitter's reconciliation: for up to 500 events it delivered, the ids whose (event, session_id, domain) this receiver " +
      'has no record of (after a restore from backup, or any loss on this side). It delivers those again. Authenticated like intake.',
    tags: ['webhooks'],
    security: webhookCredentials({ maxBytes: RECEIPTS_MAX_BYTES }),
    request: { headers: SIGNED_REQUEST_HEADERS, body: jsonBody(RECEIPTS_REQUEST) },
    responses: { 200: json('The ids not on record (empty when all are).', RECEIPTS_ANSWER), ...errorResponses(400, 401, 405, 413, 415, 422, 503) },
  },
  async function answerReceipts(c) {
    const { events } = c.req.valid('json');
    const db = c.var.services.db;
    const missing = await withDatabase(async () => {
      const positions = await unrecordedKeys(db, events.map((e) => ({ event: e.event, sessionId: e.session_id, domain: e.domain })));
      await addToCounters(db, [
        { name: RECEIPTS_METRIC, labels: labelPairs({ result: 'present' }), value: events.length - positions.length },
        { name: RECEIPTS_METRIC, labels: labelPairs({ result: 'missing' }), value: positions.length },
      ]);
      return positions.map((i) => events[i]!.id);
    });
    Object.assign(c.var.accessLog, { receipts: events.length, missing: missing.length });
    return c.json({ missing } satisfies z.infer<typeof RECEIPTS_ANSWER>);
  },
);
