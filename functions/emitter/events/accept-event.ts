/** Accepting an event from the portal: validated upstream, stored in the outbox before the 202. */
import type { Db } from '../../../db/connection';
import { acceptMessage } from '../../../db/emitter/accept';
import type { OutboxMessage } from '../../../db/emitter/schema';
import type { OnboardingEvent } from '../../contract/event-catalog';

/** A new message id: `msg_` + time (base36, sortable) + 64 random bits. */
export function newMessageId(now: number): string {
  const random = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('');
  return `msg_${now.toString(36).padStart(9, '0')}${random}`;
}

/** The body Ops receives, frozen now so every retry sends (and signs) the same bytes. */
export function payloadOf(event: OnboardingEvent, now: number): string {
  return JSON.stringify({
    event: event.event,
    domain: event.domain,
    session_id: event.session_id,
    occurred_at: event.occurred_at ?? new Date(now).toISOString(),
    data: event.data,
  });
}

/**
 * The body that would be delivered, if Ops can take it: its UTF-8 size is measured against
 * `maxBytes` (the receiver's MAX_BODY_BYTES), since the emitter adds `occurred_at` and `data` to
 * what the portal sent. An event that would be refused there is refused here, before any 202.
 */
export function deliverableBody(event: OnboardingEvent, now: number, maxBytes: number): { ok: true; body: string } | { ok: false; bytes: number } {
  const body = payloadOf(event, now);
  const bytes = new TextEncoder().encode(body).byteLength;
  return bytes <= maxBytes ? { ok: true, body } : { ok: false, bytes };
}

/**
 * Stores `event` once per (event, session_id, domain); a repeat returns the stored message.
 * `claimed` says this call also holds the new message's delivery lease (it was first in line).
 */
export async function acceptEvent(
  db: Db,
  event: OnboardingEvent,
  payload: string,
  enabled: boolean,
  now: number,
  leaseMs: number,
): Promise<{ message: OutboxMessage; created: boolean; claimed: boolean }> {
  return acceptMessage(
    db,
    {
      id: newMessageId(now),
      eventType: event.event,
      sessionId: event.session_id,
      domain: event.domain,
      payload,
      status: enabled ? 'pending' : 'skipped',
    },
    now,
    leaseMs,
  );
}
