/** Payload factories shared by every test project (runtime-agnostic: no Node or workerd APIs). */

let sequence = 0;

/** A unique, valid session id. */
export function uniqueSession(prefix = 'sess'): string {
  sequence += 1;
  return `${prefix}-${Date.now().toString(36)}-${sequence}-${Math.random().toString(36).slice(2, 8)}`;
}

export interface EventBody {
  event: string;
  domain: string;
  session_id: string;
  occurred_at?: string;
  data: Record<string, unknown>;
}

/** An `account.created` event for a fresh session and domain, with `overrides` applied. */
export function makeEvent(overrides: Partial<EventBody> = {}): EventBody {
  const session = uniqueSession();
  return {
    event: 'account.created',
    domain: `${session.toLowerCase().replace(/[^a-z0-9-]/g, '-')}.example.com`,
    session_id: session,
    data: { admin_email: 'admin@example.com' },
    ...overrides,
  };
}

/** The event that follows `base` in the same session (same domain and session id). */
export function followUp(base: EventBody, event: string, data: Record<string, unknown> = {}): EventBody {
  return { event, domain: base.domain, session_id: base.session_id, data };
}
