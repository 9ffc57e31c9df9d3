/**
 * The onboarding event catalog shared by the emitter and the receiver: the envelope every
 * event travels in, each event type with the zod schema of its `data` and its role on the desk,
 * and a parser that turns untrusted JSON into a normalised event or a list of field-level problems.
 *
 * The schemas are also what the OpenAPI documents publish, so every rule is one JSON Schema can
 * state (lengths, patterns, required keys); normalisation happens only after a value passed.
 * Lengths count UTF-16 code units, as JavaScript strings do.
 */
import { z } from 'zod';
import type { TicketPriority } from '../../db/receiver/schema';
import { fieldIssues, type FieldIssue } from './field-issues';

const MAX_TEXT = 1000;

/**
 * What an event does on the Ops desk (the receiver's intake applies it): open a ticket with a
 * priority, its subject naming the `data` field `detail` (a required field of the event's
 * schema), or join its session's ticket as a timeline entry. A ticket it opens tells people
 * (mail, chat) when `notifies` says so; unsaid, the high-priority ones do.
 */
export type DeskRole = { opens: TicketPriority; detail: string; notifies?: boolean } | { opens: false };

/**
 * Every event type the portal may send, the account first, then the onboarding milestones: the
 * schema of its `data` (required fields are checked, unknown ones kept for the timeline) and its
 * role on the desk. Adding an event type is one entry here.
 */
export const EVENT_CATALOG = {
  'account.created': {
    data: z.looseObject({
      admin_email: z.string({ error: 'is required' }).max(254).regex(z.regexes.email, 'must be an e-mail address'),
    }),
    desk: { opens: 'normal', detail: 'admin_email' },
  },
  'domain.validated': { data: z.looseObject({}), desk: { opens: false } },
  'dns.applied': { data: z.looseObject({}), desk: { opens: false } },
  'onboarding.completed': { data: z.looseObject({}), desk: { opens: false } },
  'onboarding.failed': {
    data: z.looseObject({
      reason: z.string({ error: 'is required' }).max(MAX_TEXT).regex(/\S/, 'must not be empty'),
    }),
    desk: { opens: 'high', detail: 'reason' },
  },
} satisfies Record<string, { data: z.ZodType; desk: DeskRole }>;

export type EventType = keyof typeof EVENT_CATALOG;

/** The event types, in the catalog's order. */
export const EVENT_TYPES = Object.keys(EVENT_CATALOG) as [EventType, ...EventType[]];

/** Each event type's `data` schema. */
function dataSchema(type: EventType): z.ZodType {
  return EVENT_CATALOG[type].data;
}

/** Each event type's role on the desk. */
export function deskRole(type: EventType): DeskRole {
  return EVENT_CATALOG[type].desk;
}

/** Whether a ticket opened by an event of `type` notifies people: as its entry says, else when it is high priority. */
export function notifiesWhenOpened(type: EventType): boolean {
  const role: DeskRole = deskRole(type);
  return role.opens !== false && (role.notifies ?? role.opens === 'high');
}

// RFC 1123 host names as sent: labels of 1-63 letters (either case), digits and inner hyphens,
// at least two labels, at most 253 characters, and one optional trailing dot.
const HOSTNAME = /^(?=.{1,253}\.?$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/;

/** Lower-cases a host name and drops one trailing dot, so `Example.COM.` and `example.com` are one key. */
export function normaliseDomain(value: string): string {
  const lower = value.trim().toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

const SESSION_ID = z
  .string({ error: 'is required' })
  .min(1, 'must not be empty')
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'may hold only letters, digits and . _ : -');

/** The envelope's fields other than `event`. */
const ENVELOPE_FIELDS = {
  domain: z.string({ error: 'is required' }).regex(HOSTNAME, 'must be a host name such as example.com').transform(normaliseDomain),
  session_id: SESSION_ID,
  occurred_at: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time' }).optional(),
  data: z.record(z.string(), z.unknown(), { error: 'must be an object' }).default({}),
};

const ENVELOPE = z.object({
  event: z.enum(EVENT_TYPES, { error: `must be one of ${EVENT_TYPES.join(', ')}` }),
  ...ENVELOPE_FIELDS,
});

/**
 * The event body as the OpenAPI documents publish it: one member per event type, told apart by
 * `event`, each with that type's `data` schema (required when the type requires a field). It
 * accepts exactly what {@link parseOnboardingEvent} accepts (the tests check that they agree).
 */
export const EVENT_BODY = z.discriminatedUnion(
  'event',
  EVENT_TYPES.map((type) => {
    const data = dataSchema(type);
    return z.object({ event: z.literal(type), ...ENVELOPE_FIELDS, data: data.safeParse({}).success ? data.optional() : data });
  }) as unknown as [z.ZodObject, ...z.ZodObject[]],
);

/** An onboarding event after validation and normalisation. */
export interface OnboardingEvent {
  event: EventType;
  domain: string;
  session_id: string;
  occurred_at?: string;
  data: Record<string, unknown>;
}

export type ParseResult = { ok: true; event: OnboardingEvent } | { ok: false; issues: FieldIssue[] };

/**
 * Validates an untrusted envelope. `headerSessionId` is the `X-Onboarding-Session` header, which
 * may stand in for a missing `session_id` but must agree with one that is present.
 */
export function parseOnboardingEvent(input: unknown, headerSessionId?: string | null): ParseResult {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, issues: [{ path: '(body)', message: 'must be a JSON object' }] };
  }
  const body = { ...(input as Record<string, unknown>) };
  const header = headerSessionId?.trim();
  if (header) {
    if (body.session_id === undefined) body.session_id = header;
    else if (typeof body.session_id === 'string' && body.session_id.trim() !== header) {
      return {
        ok: false,
        issues: [{ path: 'session_id', message: 'does not match the X-Onboarding-Session header' }],
      };
    }
  }
  const envelope = ENVELOPE.safeParse(body);
  if (!envelope.success) return { ok: false, issues: fieldIssues(envelope.error) };
  const data = dataSchema(envelope.data.event).safeParse(envelope.data.data);
  if (!data.success) return { ok: false, issues: fieldIssues(data.error, ['data']) };
  const event: OnboardingEvent = { ...envelope.data, data: data.data as Record<string, unknown> };
  if (event.occurred_at === undefined) delete event.occurred_at;
  return { ok: true, event };
}

/** What an event type's name looks like: one a newer version of the catalog could hold. */
const EVENT_TYPE_NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/** The code of the 422 for a well-formed event type this catalog lacks. */
export const UNKNOWN_EVENT_TYPE = 'unknown_event_type';

/**
 * The well-formed event type of a body that this catalog lacks, if that is what it holds: a newer
 * emitter's event, which the receiver refuses as `unknown_event_type` (upgrades in either order).
 */
export function unknownEventType(value: unknown): string | undefined {
  const type = value !== null && typeof value === 'object' ? (value as { event?: unknown }).event : undefined;
  return typeof type === 'string' && EVENT_TYPE_NAME.test(type) && !(EVENT_TYPES as string[]).includes(type) ? type : undefined;
}
