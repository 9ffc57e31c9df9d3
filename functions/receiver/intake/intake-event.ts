/**
 * Records a validated onboarding event: applies the ticket policy and writes everything in one
 * atomic, idempotent database batch.
 */
import type { Db } from '../../../db/connection';
import { recordEvent, type NewEvent, type RecordOutcome } from '../../../db/receiver/intake';
import type { NotifyChannel } from '../../../db/receiver/schema';
import type { OnboardingEvent } from '../../contract/event-catalog';
import { planTicket } from './ticket-policy';

/** The row an event is stored as (delivered as `webhookId`, if signed). */
export function toNewEvent(event: OnboardingEvent, webhookId: string | null): NewEvent {
  return {
    eventType: event.event,
    sessionId: event.session_id,
    domain: event.domain,
    webhookId,
    occurredAt: event.occurred_at ? Date.parse(event.occurred_at) : null,
    data: JSON.stringify(event.data),
  };
}

/**
 * Stores `event` (delivered as `webhookId`, if signed), with the notifications of a ticket it
 * opens on `channels`, and returns the event and ticket ids.
 */
export async function intakeEvent(
  db: Db,
  event: OnboardingEvent,
  webhookId: string | null,
  now: number,
  channels: readonly NotifyChannel[] = [],
): Promise<RecordOutcome & { notifies: boolean }> {
  const plan = planTicket(event, channels);
  const outcome = await recordEvent(db, toNewEvent(event, webhookId), plan, crypto.randomUUID(), now);
  return { ...outcome, notifies: plan.action === 'open' && (plan.notify?.length ?? 0) > 0 };
}
