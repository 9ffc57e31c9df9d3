/**
 * The event catalog as a route's body parser (`parseBody`), the HTTP side of the contract: the
 * event, with the X-Onboarding-Session header standing in for a missing session_id, or the 422
 * listing every field, or naming the unknown event type.
 */
import { EVENT_TYPES, parseOnboardingEvent, UNKNOWN_EVENT_TYPE, unknownEventType, type OnboardingEvent } from '../../contract/event-catalog';
import { apiError } from './http-errors';
import { validationFailed } from './json-request';

/**
 * 422 `unknown_event_type`: a well-formed type this version does not know. A newer emitter holds
 * such an event and sends it again until the receiver, upgraded, knows it.
 */
function unknownEventTypeError(type: string) {
  return apiError(422, UNKNOWN_EVENT_TYPE, `event type ${JSON.stringify(type)} is not known to this version (it knows ${EVENT_TYPES.join(', ')}); upgrade it to accept the event`, {
    details: [{ path: 'event', message: 'is not known to this version' }],
  });
}

export function parseEventBody(value: unknown, c: { req: { header(name: string): string | undefined } }): OnboardingEvent {
  const unknown = unknownEventType(value);
  if (unknown !== undefined) throw unknownEventTypeError(unknown);
  const parsed = parseOnboardingEvent(value, c.req.header('x-onboarding-session'));
  if (!parsed.ok) throw validationFailed(parsed.issues);
  return parsed.event;
}
