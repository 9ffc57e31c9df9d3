/**
 * Records a validated onboarding event: applies the ticket policy and writes everything in one
 * atomic, idempotent database batch.
 */
import type { Db } from '../../../db/connection';
import { recordEvent, type NewEvent, type RecordOutcome } from '../../../db/receiver/intake';
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

/** Stores `event` (delivered as `webhookId`, if signed) and returns the event and ticket ids. */
export async function intakeEvent(
  db: Db,
  event: OnboardingEvent,
  webhookId: string | null,
  now: number,
): Promise<RecordOutcome> {
  return recordEvent(db, toNewEvent(event, webhookId), planTicket(event), crypto.randomUUID(), now);
}
