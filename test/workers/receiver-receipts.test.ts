/** POST /api/v1/webhooks/receipts: what the emitter's reconciliation asks, authenticated like intake. */
import { describe, expect, it } from 'vitest';
import { makeEvent, type EventBody } from '../support/factories';
import { call, deliver, librarySignature, SECRET } from './helpers';

const RECEIPTS = '/api/v1/webhooks/receipts';

const asked = (id: string, e: EventBody) => ({ id, event: e.event, session_id: e.session_id, domain: e.domain });

function askReceipts(body: unknown, headers: Record<string, string> = { 'x-webhook-secret': SECRET }): Promise<Response> {
  return call(RECEIPTS, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

describe('receipts', () => {
  it('answers the ids whose business key is not on record, and none of those that are', async () => {
    const recorded = makeEvent();
    await deliver(recorded);
    const unknown = makeEvent();
    const sameSessionOtherEvent = { ...recorded, event: 'dns.applied' as const };
    const res = await askReceipts({ events: [asked('msg_a', recorded), asked('msg_b', unknown), asked('msg_c', sameSessionOtherEvent)] });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { missing: string[] }).missing.sort()).toEqual(['msg_b', 'msg_c']);
  });

  it('matches the domain as intake normalises it (case, a trailing dot)', async () => {
    const recorded = makeEvent();
    await deliver(recorded);
    const res = await askReceipts({ events: [{ ...asked('msg_x', recorded), domain: `${recorded.domain.toUpperCase()}.` }] });
    expect(((await res.json()) as { missing: string[] }).missing).toEqual([]);
  });

  it('answers 401 without the secret or a signature, and accepts a signed request', async () => {
    const body = { events: [asked('msg_s', makeEvent())] };
    expect((await askReceipts(body, {})).status).toBe(401);
    expect((await askReceipts(body, { 'x-webhook-secret': `${SECRET}x` })).status).toBe(401);
    const signed = await askReceipts(body, librarySignature(SECRET, JSON.stringify(body)));
    expect(signed.status).toBe(200);
    expect(((await signed.json()) as { missing: string[] }).missing).toEqual(['msg_s']);
  });

  it('takes at most 500 events (422 above), and refuses a malformed item naming its path', async () => {
    const events = Array.from({ length: 501 }, (_, i) => asked(`msg_${i}`, makeEvent()));
    const tooMany = await askReceipts({ events });
    expect(tooMany.status).toBe(422);
    expect(((await askReceipts({ events: events.slice(0, 500) })).status)).toBe(200);
    const bad = await askReceipts({ events: [{ id: 'msg_1', event: 'nope', session_id: 's', domain: 'example.com' }] });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('events.0.event');
  });
});
