/** The emitter's outbox as the engine sees it: its tables, the per-session order, its state keys. */
import type { OutboxTables } from '../outbox/outbox-tables';
import { LAST_PROBE_AT, OPS_REACHABLE } from './state';

export const EMITTER_OUTBOX: OutboxTables = {
  messages: 'outbox_messages',
  attempts: 'delivery_attempts',
  state: 'emitter_state',
  // Events of one session reach Ops in the order the portal sent them.
  inOrderOf: ['session_id', 'domain'],
  keys: { reachable: OPS_REACHABLE, lastProbeAt: LAST_PROBE_AT },
};
