/** Emitter behaviour inside workerd: accept, sign, retry, give up, order, drain, redeliver. */
import { Webhook } from 'standardwebhooks';
import { describe, expect, it, vi } from 'vitest';
import { followUp, makeEvent } from '../support/factories';
import { callEmitter, delivery, emit, emitterEnv, received, runSweep, setOpsDown, sweepClock, sweepUntil } from './emitter-helpers';

interface Accepted {
  status: string;
  id: string;
  duplicate: boolean;
  delivery: string;
}

async function accept(body: unknown, bindings = emitterEnv()): Promise<Accepted> {
  const res = await emit(body, bindings);
  expect(res.status).toBe(202);
  return res.json();
}

const statusOf = async (id: string, bindings = emitterEnv()) => (await delivery(id, bindings)).delivery.status;

describe('emitter: accept and first delivery', () => {
  it('answers 202 with a message id and delivers it signed right away', async () => {
    const event = makeEvent();
    const accepted = await accept(event);
    expect(accepted).toMatchObject({ status: 'accepted', duplicate: false, delivery: 'pending' });
    expect(accepted.id).toMatch(/^msg_/);
    const [sent] = await received(event.session_id);
    expect(sent).toBeDefined();
    expect(sent!.headers['webhook-id']).toBe(accepted.id);
    expect(sent!.headers['x-onboarding-session']).toBe(event.session_id);
    expect(sent!.headers['user-agent']).toMatch(/^ops-webhook-emitter\/\d+\.\d+\.\d+/);
    expect(sent!.headers['x-webhook-secret']).toBe(emitterEnv().OPS_WEBHOOK_SECRET);
    const wh = new Webhook(new TextEncoder().encode(emitterEnv().OPS_WEBHOOK_SECRET), { format: 'raw' });
    expect(() => wh.verify(sent!.body, sent!.headers)).not.toThrow();
    expect(JSON.parse(sent!.body)).toMatchObject({ event: 'account.created', domain: event.domain, session_id: event.session_id });
    const view = await delivery(accepted.id);
    expect(view.delivery.status).toBe('delivered');
    expect(view.attempts).toMatchObject([{ attempt: 1, trigger: 'accept', status_code: 201, outcome: 'delivered' }]);
  });

  it('keeps one outbox entry for the same event accepted twice', async () => {
    const event = makeEvent();
    const first = await accept(event);
    const second = await accept(event);
    expect(second).toMatchObject({ id: first.id, duplicate: true });
    expect(await received(event.session_id)).toHaveLength(1);
  });

  it('answers 422 with field paths and queues nothing for an invalid event', async () => {
    const event = makeEvent({ data: {} });
    const res = await emit(event);
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { details: { path: string }[] } };
    expect(body.error.details.map((d) => d.path)).toEqual(['data.admin_email']);
    await runSweep();
    expect(await received(event.session_id)).toHaveLength(0);
  });

  it('records events as skipped and sends nothing when OPS_WEBHOOK_ENABLED is false', async () => {
    const bindings = emitterEnv({ OPS_WEBHOOK_ENABLED: 'false' });
    const event = makeEvent();
    const accepted = await accept(event, bindings);
    expect(accepted.delivery).toBe('skipped');
    await runSweep(bindings);
    expect(await received(event.session_id)).toHaveLength(0);
    expect(await statusOf(accepted.id)).toBe('skipped');
  });

  it('answers 400, 413 and 415 in the error shape', async () => {
    const shape = async (res: Response) => ({ status: res.status, body: (await res.json()) as { error: { code: string; message: string } } });
    const bad = await shape(await callEmitter('/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }));
    const big = await shape(await emit(makeEvent({ data: { admin_email: 'a@example.com', pad: 'x'.repeat(70_000) } })));
    const text = await shape(await callEmitter('/v1/events', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' }));
    expect([bad.status, big.status, text.status]).toEqual([400, 413, 415]);
    for (const { body } of [bad, big, text]) {
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error).toEqual({ code: expect.stringMatching(/^[a-z_]+$/), message: expect.any(String) });
    }
    expect([bad.body.error.code, big.body.error.code, text.body.error.code]).toEqual(['malformed_json', 'payload_too_large', 'unsupported_media_type']);
  });
});

describe('emitter: retries', () => {
  it('retries a 500 on the fast schedule and delivers on the 200 that follows', async () => {
    const event = makeEvent({ data: { admin_email: 'a@example.com', script: ['500'] } });
    const { id } = await accept(event);
    await sweepUntil(async () => (await statusOf(id)) === 'delivered');
    const view = await delivery(id);
    expect(view.attempts.map((a) => [a.status_code, a.outcome])).toEqual([
      [500, 'retry'],
      [201, 'delivered'],
    ]);
    const gap = Date.parse(view.attempts[1]!.started_at) - Date.parse(view.attempts[0]!.started_at);
    expect(gap).toBeGreaterThanOrEqual(40);
    expect(view.attempts[0]!.response_body).toContain('"answer":"500"');
  });

  it('abandons an attempt that hangs past the timeout and retries it', async () => {
    const event = makeEvent({ data: { admin_email: 'a@example.com', script: ['hang'] } });
    const { id } = await accept(event);
    await sweepUntil(async () => (await statusOf(id)) === 'delivered');
    const view = await delivery(id);
    expect(view.attempts[0]).toMatchObject({ status_code: null, error: 'timeout after 300 ms', outcome: 'retry' });
    expect(view.attempts[1]).toMatchObject({ status_code: 201, outcome: 'delivered' });
  });

  it('marks a message dead at once when Ops answers 422, keeping the reason', async () => {
    const event = makeEvent({ data: { admin_email: 'a@example.com', script: ['422'] } });
    const { id } = await accept(event);
    await runSweep();
    sweepClock.advance(150);
    await runSweep();
    const view = await delivery(id);
    expect(view.delivery).toMatchObject({ status: 'dead', last_status: 422 });
    expect(view.delivery.last_error).toMatch(/422/);
    expect(view.attempts).toHaveLength(1);
    expect(await received(event.session_id)).toHaveLength(1);
  });

  it('marks a message dead at once when Ops answers 409 (its webhook-id names another event)', async () => {
    const event = makeEvent({ data: { admin_email: 'a@example.com', script: ['409'] } });
    const { id } = await accept(event);
    await runSweep();
    sweepClock.advance(150);
    await runSweep();
    const view = await delivery(id);
    expect(view.delivery).toMatchObject({ status: 'dead', last_status: 409 });
    expect(view.attempts).toHaveLength(1);
  });

  it('honours Retry-After on 429 before the next attempt', async () => {
    const event = makeEvent({ data: { admin_email: 'a@example.com', script: ['429:1'] } });
    const { id } = await accept(event);
    await runSweep();
    expect(await received(event.session_id)).toHaveLength(1);
    const first = (await delivery(id)).attempts[0]!;
    expect(Date.parse(first.next_attempt_at!) - Date.parse(first.started_at)).toBeGreaterThanOrEqual(1000);
    await sweepUntil(async () => (await statusOf(id)) === 'delivered', emitterEnv(), 40, 100);
    const view = await delivery(id);
    expect(Date.parse(view.attempts[1]!.started_at) - Date.parse(first.started_at)).toBeGreaterThanOrEqual(1000);
  });

  it('keeps retrying on 401 and logs that the secrets differ, without the secret', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    const bindings = emitterEnv({ LOG_LEVEL: 'info' });
    try {
      const event = makeEvent({ data: { admin_email: 'a@example.com', script: ['401', '401'] } });
      const { id } = await accept(event, bindings);
      await sweepUntil(async () => (await statusOf(id)) === 'delivered', bindings);
      expect((await delivery(id)).attempts.map((a) => a.outcome)).toEqual(['retry', 'retry', 'delivered']);
    } finally {
      spy.mockRestore();
    }
    expect(lines.some((l) => l.includes('secrets') || l.includes('differ'))).toBe(true);
    expect(lines.join('\n')).not.toContain(bindings.OPS_WEBHOOK_SECRET);
  });

  it('holds an event whose type the receiver does not know yet (422 unknown_event_type): never dead, delivered once the receiver knows it', async () => {
    const bindings = emitterEnv({ PROBE_INTERVAL_MS: '3600000' });
    // Longer than the whole schedule (three retries), which would make any other failure dead.
    const event = makeEvent({ data: { admin_email: 'a@example.com', script: Array(6).fill('422=unknown_event_type') } });
    const { id } = await accept(event, bindings);
    await sweepUntil(async () => (await statusOf(id, bindings)) === 'delivered', bindings);
    const view = await delivery(id, bindings);
    expect(view.attempts.map((a) => a.outcome)).toEqual([...Array(6).fill('retry'), 'delivered']);
    expect(view.attempts[0]!.error).toMatch(/^held: the receiver does not know this event type yet/);
    expect(await received(event.session_id)).toHaveLength(7);
  });

  it('says why a held event waits, in its record (which the console shows)', async () => {
    const event = makeEvent({ data: { admin_email: 'a@example.com', script: Array(3).fill('422=unknown_event_type') } });
    const { id } = await accept(event);
    const view = await delivery(id);
    expect(view.delivery).toMatchObject({ status: 'pending', last_status: 422 });
    expect(view.delivery.last_error).toMatch(/held: the receiver does not know this event type yet \(upgrade VM122\)/);
    // Delivered in the end, so later tests' probes do not pick it as the oldest pending message.
    await sweepUntil(async () => (await statusOf(id)) === 'delivered');
  });

  it('names clock skew, not the secrets, when the receiver refuses the timestamp (401 stale_timestamp), in the log and /healthz, until a delivery goes through', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    const bindings = emitterEnv({ LOG_LEVEL: 'info' });
    const clockSkew = async () => ((await (await callEmitter('/healthz', {}, bindings)).json()) as { clock_skew: { skew_s: number | null } | null }).clock_skew;
    try {
      const event = makeEvent({ data: { admin_email: 'a@example.com', script: ['401=stale_timestamp'] } });
      const { id } = await accept(event, bindings);
      const first = (await delivery(id, bindings)).attempts[0]!;
      expect(first).toMatchObject({ status_code: 401, outcome: 'retry' });
      expect(first.error).toMatch(/^clock skew: the receiver refused the signature's timestamp \(the receiver's clock is (599|600|601) s ahead\)/);
      expect((await clockSkew())?.skew_s).toBeGreaterThanOrEqual(599);
      await sweepUntil(async () => (await statusOf(id, bindings)) === 'delivered', bindings);
      expect(await clockSkew()).toBeNull();
    } finally {
      spy.mockRestore();
    }
    expect(lines.some((l) => l.includes('"msg":"clock skew'))).toBe(true);
    expect(lines.some((l) => l.includes('secrets') && l.includes('differ'))).toBe(false);
  });

  it('marks a message dead after the whole schedule has failed', async () => {
    const bindings = emitterEnv({ PROBE_INTERVAL_MS: '3600000' });
    const event = makeEvent({ data: { admin_email: 'a@example.com', script: Array(10).fill('500') } });
    const { id } = await accept(event, bindings);
    await sweepUntil(async () => (await statusOf(id, bindings)) === 'dead', bindings);
    const scheduled = (await delivery(id, bindings)).attempts.filter((a) => a.trigger !== 'probe');
    expect(scheduled.map((a) => a.outcome)).toEqual(['retry', 'retry', 'retry', 'dead']);
  });
});

describe('emitter: ordering, drain and redelivery', () => {
  it('delivers the events of one session in the order they were accepted', async () => {
    const first = makeEvent({ data: { admin_email: 'a@example.com', script: ['500', '500'] } });
    const ids = [
      (await accept(first)).id,
      (await accept(followUp(first, 'domain.validated'))).id,
      (await accept(followUp(first, 'dns.applied'))).id,
    ];
    await sweepUntil(async () => (await Promise.all(ids.map((id) => statusOf(id)))).every((s) => s === 'delivered'));
    const delivered = (await received(first.session_id)).filter((d) => d.answer === '201').map((d) => d.headers['webhook-id']);
    expect(delivered).toEqual(ids);
  });

  it('drains a backlog promptly once Ops is back, instead of waiting out the slow schedule', async () => {
    const bindings = emitterEnv({ OPS_WEBHOOK_RETRY_SCHEDULE: '1h' });
    await setOpsDown(true);
    const events = Array.from({ length: 5 }, () => makeEvent());
    let ids: string[] = [];
    try {
      ids = await Promise.all(events.map(async (e) => (await accept(e, bindings)).id));
      for (const id of ids) expect((await delivery(id, bindings)).delivery.last_status).toBe(503);
    } finally {
      await setOpsDown(false);
    }
    sweepClock.advance(120);
    const summary = await runSweep(bindings);
    expect(summary.probed).toBe(true);
    for (const id of ids) expect(await statusOf(id, bindings)).toBe('delivered');
  });

  it('never exhausts a message by probing it during a long outage', async () => {
    const bindings = emitterEnv({ OPS_WEBHOOK_RETRY_SCHEDULE: '40ms,1h' });
    await setOpsDown(true);
    let id = '';
    try {
      id = (await accept(makeEvent(), bindings)).id;
      for (let i = 0; i < 6; i++) {
        sweepClock.advance(110);
        await runSweep(bindings);
      }
      const view = await delivery(id, bindings);
      expect(view.delivery.status).toBe('pending');
      expect(view.attempts.filter((a) => a.trigger === 'probe').length).toBeGreaterThanOrEqual(3);
    } finally {
      await setOpsDown(false);
    }
    await sweepUntil(async () => (await statusOf(id, bindings)) === 'delivered', bindings);
  });

  it('redelivers a delivered message on request, and the request always sends', async () => {
    const event = makeEvent();
    const { id } = await accept(event);
    const res = await callEmitter(`/v1/deliveries/${id}/redeliver`, { method: 'POST' });
    expect(res.status).toBe(202);
    expect(await received(event.session_id)).toHaveLength(2);
    expect((await delivery(id)).attempts.map((a) => a.trigger)).toEqual(['accept', 'manual']);
  });

  it('requeues dead messages in bulk by status and time', async () => {
    const since = new Date().toISOString();
    const event = makeEvent({ data: { admin_email: 'a@example.com', script: ['422'] } });
    const { id } = await accept(event);
    expect(await statusOf(id)).toBe('dead');
    const res = await callEmitter('/v1/deliveries/redeliver', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'dead', since }),
    });
    expect(res.status).toBe(202);
    expect(((await res.json()) as { count: number }).count).toBeGreaterThanOrEqual(1);
    await sweepUntil(async () => (await statusOf(id)) === 'delivered');
  });

  it('lists deliveries by status and reports the backlog on /healthz', async () => {
    // Two delivered messages of this test's own, so the list has something to filter.
    for (let i = 0; i < 2; i++) {
      const { id } = (await (await emit(makeEvent())).json()) as { id: string };
      await sweepUntil(async () => (await statusOf(id)) === 'delivered');
    }
    const list = (await (await callEmitter('/v1/deliveries?status=delivered&limit=2')).json()) as { deliveries: { status: string }[] };
    expect(list.deliveries).toHaveLength(2);
    expect(list.deliveries.every((d) => d.status === 'delivered')).toBe(true);
    const health = (await (await callEmitter('/healthz')).json()) as { status: string; backlog: { pending: number } };
    expect(health.status).toBe('ok');
    expect(typeof health.backlog.pending).toBe('number');
    expect((await callEmitter('/v1/deliveries/msg_nope')).status).toBe(404);
    expect((await callEmitter('/v1/deliveries?status=lost')).status).toBe(422);
  });
});

describe('emitter: access', () => {
  it('requires the bearer token on /v1 when EMITTER_API_TOKEN is set', async () => {
    const bindings = emitterEnv({ EMITTER_API_TOKEN: 'operator-token-0123456789' });
    expect((await emit(makeEvent(), bindings)).status).toBe(401);
    expect((await emit(makeEvent(), bindings, { authorization: 'Bearer operator-token-0123456789' })).status).toBe(202);
    expect((await callEmitter('/healthz', {}, bindings)).status).toBe(200);
  });

  it('never opens /v1 without a configured token (503), whatever the caller sends', async () => {
    const bindings = emitterEnv({ EMITTER_API_TOKEN: undefined });
    for (const authorization of ['', 'Bearer ', `Bearer ${'x'.repeat(40)}`]) {
      const res = await emit(makeEvent(), bindings, { authorization });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('api_token_unset');
    }
    expect((await callEmitter('/v1/deliveries', {}, bindings)).status).toBe(503);
  });

  it("hides the sweep endpoint from callers without the host's sweep token", async () => {
    expect((await callEmitter('/__internal/sweep', { method: 'POST' })).status).toBe(404);
    const ok = await callEmitter('/__internal/sweep', { method: 'POST', headers: { 'x-sweep-token': 'sweep-token-for-tests' } });
    expect(ok.status).toBe(200);
  });
});
