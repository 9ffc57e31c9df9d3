/**
 * Retention on both sides: the emitter deletes old delivered and skipped messages (never dead or
 * pending ones) and an operator can purge; the receiver can empty old event data of closed tickets.
 * Deduplication stays right across it. Time passes by the clocks the tests move (the sweeps', and
 * the receiver's through its CLOCK binding), not by sleeping.
 */
import { eq } from 'drizzle-orm';
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connection';
import { tickets, webhookEvents } from '../../db/receiver/schema';
import { SWEEP_TOKEN_HEADER } from '../../functions/host-contract/wire-names';
import { makeEvent } from '../support/factories';
import { callEmitter, emit, emitterEnv, runSweep, sweepClock, sweepUntil } from './emitter-helpers';
import { call, deliver, ENV } from './helpers';

const own = env as unknown as { RECEIVER_RETENTION_LIBSQL: Fetcher; EMITTER_RETENTION_LIBSQL: Fetcher };
const DAY_MS = 86_400_000;

async function accepted(body: unknown, bindings = emitterEnv()): Promise<{ id: string; duplicate: boolean }> {
  const res = await emit(body, bindings);
  expect(res.status).toBe(202);
  return res.json();
}

describe('emitter retention', () => {
  it('deletes delivered messages and their attempts past RETENTION_DAYS, and a repeat of the event is then a new message', async () => {
    const bindings = emitterEnv({ RETENTION_DAYS: '1', LIBSQL: own.EMITTER_RETENTION_LIBSQL });
    const event = makeEvent();
    const first = await accepted(event, bindings);
    await sweepUntil(async () => (await (await callEmitter(`/v1/deliveries/${first.id}`, {}, bindings)).json() as { delivery: { status: string } }).delivery.status === 'delivered', bindings);
    expect((await runSweep(bindings)).removed).toBe(0);
    sweepClock.advance(DAY_MS + 1000);
    const summary = await runSweep(bindings);
    expect(summary.removed).toBe(1);
    expect((await callEmitter(`/v1/deliveries/${first.id}`, {}, bindings)).status).toBe(404);
    const { rows } = await openDatabase(bindings).$client.execute({ sql: 'SELECT count(*) AS n FROM delivery_attempts WHERE message_id = ?', args: [first.id] });
    expect(Number(rows[0]!.n)).toBe(0);
    // The emitter no longer remembers it: the same event is accepted again as a new message, and
    // delivered again; the receiver's deduplication (its events are kept) answers it as a duplicate.
    const again = await accepted(event, bindings);
    expect(again.duplicate).toBe(false);
    expect(again.id).not.toBe(first.id);
  });

  it('keeps dead and pending messages however old, until an operator purges them', async () => {
    const bindings = emitterEnv({ RETENTION_DAYS: '1', LIBSQL: own.EMITTER_RETENTION_LIBSQL });
    const dead = await accepted(makeEvent({ data: { admin_email: 'a@example.com', script: ['422'] } }), bindings);
    await sweepUntil(async () => (await (await callEmitter(`/v1/deliveries/${dead.id}`, {}, bindings)).json() as { delivery: { status: string } }).delivery.status === 'dead', bindings);
    sweepClock.advance(DAY_MS + 1000);
    await runSweep(bindings);
    expect((await callEmitter(`/v1/deliveries/${dead.id}`, {}, bindings)).status).toBe(200);

    const purge = (body: unknown) =>
      callEmitter('/v1/deliveries/purge', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, bindings);
    expect((await purge({ status: 'pending', before: new Date().toISOString() })).status).toBe(422);
    const res = await purge({ status: 'dead', before: new Date().toISOString() });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { count: number }).count).toBeGreaterThanOrEqual(1);
    expect((await callEmitter(`/v1/deliveries/${dead.id}`, {}, bindings)).status).toBe(404);
  });
});

describe('receiver retention', () => {
  const sweep = (bindings: object) => call('/__internal/sweep', { method: 'POST', headers: { [SWEEP_TOKEN_HEADER]: 'sweep-token-receiver' } }, bindings);

  it('empties the data of events on closed tickets past EVENT_RETENTION_DAYS, keeps type and times, and still deduplicates', async () => {
    // The receiver's clock, moved by the test (its CLOCK binding): two days on when the sweep runs.
    const clock = { at: Date.now(), now() { return this.at; } };
    const bindings = { ...ENV, LIBSQL: own.RECEIVER_RETENTION_LIBSQL, EVENT_RETENTION_DAYS: '1', SWEEP_TOKEN: 'sweep-token-receiver', CLOCK: clock };
    const event = makeEvent();
    const res = await deliver(event, {}, bindings);
    const { event_id, ticket_id } = (await res.json()) as { event_id: number; ticket_id: number };
    const db = openDatabase(bindings);
    clock.at += 2 * DAY_MS;
    // An open ticket's events keep their data.
    expect(((await (await sweep(bindings)).json()) as { purged: number }).purged).toBe(0);
    await db.update(tickets).set({ status: 'closed' }).where(eq(tickets.id, ticket_id));
    // Retention runs once a minute (the sweep itself every second).
    clock.at += 61_000;
    expect(((await (await sweep(bindings)).json()) as { purged: number }).purged).toBe(1);
    const [row] = await db.select().from(webhookEvents).where(eq(webhookEvents.id, event_id));
    expect(row).toMatchObject({ data: '{}', eventType: 'account.created' });
    expect(row!.dataPurgedAt).not.toBeNull();
    expect(row!.receivedAt).toBeGreaterThan(0);
    const repeat = await deliver(event, {}, bindings);
    expect(repeat.status).toBe(200);
    expect(((await repeat.json()) as { event_id: number }).event_id).toBe(event_id);
  });

  it('deletes nothing without EVENT_RETENTION_DAYS, and hides the sweep from callers without the token', async () => {
    const bindings = { ...ENV, LIBSQL: own.RECEIVER_RETENTION_LIBSQL, SWEEP_TOKEN: 'sweep-token-receiver' };
    expect(((await (await sweep(bindings)).json()) as { purged: number }).purged).toBe(0);
    expect((await call('/__internal/sweep', { method: 'POST' }, bindings)).status).toBe(404);
  });
});
