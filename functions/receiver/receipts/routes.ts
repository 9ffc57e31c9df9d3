/**
 * POST /api/v1/webhooks/receipts: the emitter's reconciliation asks which of the events it
 * delivered this receiver has no record of (after a restore from backup, or any loss on this
 * side), and delivers those again. Authenticated exactly like intake, on the same transport.
 */
import { Hono } from 'hono';
import { addToCounters } from '../../../db/metric-counters';
import { unrecordedKeys } from '../../../db/receiver/receipts';
import { withDatabase } from '../../shared/database-errors';
import { methodNotAllowed } from '../../shared/http-errors';
import { parseJson, validationFailed } from '../../shared/json-request';
import { labelPairs } from '../../shared/metrics/exposition';
import { MAX_RECEIPTS, RECEIPTS_REQUEST } from '../api-schemas';
import { authenticate } from '../webhook-auth/authenticate';
import type { ReceiverApp } from '../types';

export const RECEIPTS_METRIC = 'ops_webhook_receiver_receipts_total';

/** A full page of the largest keys the schema allows, with room for JSON: far above any real page, and bounded. */
const RECEIPTS_MAX_BYTES = MAX_RECEIPTS * 1024;

export const receipts = new Hono<ReceiverApp>();

receipts.post('/', authenticate({ maxBytes: RECEIPTS_MAX_BYTES }), async function answerReceipts(c) {
  const asked = RECEIPTS_REQUEST.safeParse(parseJson(c.var.rawBody));
  if (!asked.success) throw validationFailed(asked.error);
  const { events } = asked.data;
  const db = c.var.db;
  const missing = await withDatabase(async () => {
    const positions = await unrecordedKeys(db, events.map((e) => ({ event: e.event, sessionId: e.session_id, domain: e.domain })));
    await addToCounters(db, [
      { name: RECEIPTS_METRIC, labels: labelPairs({ result: 'present' }), value: events.length - positions.length },
      { name: RECEIPTS_METRIC, labels: labelPairs({ result: 'missing' }), value: positions.length },
    ]);
    return positions.map((i) => events[i]!.id);
  });
  Object.assign(c.var.log, { receipts: events.length, missing: missing.length });
  return c.json({ missing });
});

receipts.all('/', methodNotAllowed(['POST']));
