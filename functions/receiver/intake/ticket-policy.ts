/**
 * What an event does on the desk, from its role in the catalog: open a ticket (with its priority,
 * and a subject made safe to show) or join the session's ticket as a timeline entry.
 */
import type { TicketPlan } from '../../../db/receiver/intake';
import type { NotifyChannel } from '../../../db/receiver/schema';
import { deskRole, notifiesWhenOpened, type OnboardingEvent } from '../../contract/event-catalog';

/** Longest subject, in characters (code points). */
export const MAX_SUBJECT = 200;

/**
 * Characters that must not reach a subject: C0/C1 controls (a NUL cuts the text in SQLite's
 * text functions and in the desk), and the bidirectional overrides that can make a subject read
 * as something else. The event's data keeps them verbatim; only the derived subject is cleaned.
 */
const UNSAFE_IN_SUBJECT = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu;

/**
 * Made on the first subject that needs cutting, not at start: building it loads ICU's break
 * rules and locale data, megabytes of resident memory that most processes never need.
 */
let graphemes: Intl.Segmenter | null | undefined;
function graphemeSegmenter(): Intl.Segmenter | null {
  graphemes ??= typeof Intl.Segmenter === 'function' ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;
  return graphemes;
}

/** `text` cut to at most `max` code points, ellipsis included, on a whole character (grapheme cluster). */
export function cutOnCharacter(text: string, max: number): string {
  if ([...text].length <= max) return text;
  const segmenter = graphemeSegmenter();
  const pieces = segmenter ? Array.from(segmenter.segment(text), (s) => s.segment) : [...text];
  let out = '';
  let length = 0;
  for (const piece of pieces) {
    const size = [...piece].length;
    if (length + size > max - 1) break;
    out += piece;
    length += size;
  }
  return `${out}\u2026`;
}

/** Half of a surrogate pair standing alone (JSON can carry one as a `\\ud800` escape): not a character. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Subject format the desk sorts by: `[event] domain — detail` (U+2014 em dash). */
function subject(e: OnboardingEvent, detail: unknown): string {
  const clean = String(detail).replace(LONE_SURROGATE, '\uFFFD').replace(UNSAFE_IN_SUBJECT, ' ').replace(/\s+/g, ' ').trim();
  return cutOnCharacter(`[${e.event}] ${e.domain} \u2014 ${clean}`, MAX_SUBJECT);
}

/**
 * The plan for one validated event: only events a person must act on open tickets; the rest
 * extend the timeline. A ticket whose event type notifies tells people on `channels` (those
 * configured).
 */
export function planTicket(event: OnboardingEvent, channels: readonly NotifyChannel[] = []): TicketPlan {
  const role = deskRole(event.event);
  if (!role.opens) return { action: 'link' };
  const plan: TicketPlan = { action: 'open', priority: role.opens, subject: subject(event, event.data[role.detail]) };
  if (channels.length > 0 && notifiesWhenOpened(event.event)) plan.notify = channels;
  return plan;
}
