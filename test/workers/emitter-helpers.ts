/** Helpers for in-workerd emitter tests: the emitter's bindings, a fake Ops, and a sweep runner. */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import emitter from '../../functions/emitter/index';
import { cronDeliveryDeps } from '../../functions/emitter/ops-outbox/deps';
import { drainOutbox, type SweepSummary } from '../../functions/emitter/ops-outbox/drain';
import { EMITTER_CONFIG, type EmitterBindings } from '../../functions/emitter/config';
import { loadConfig } from '../../functions/platform/settings/config';
import { createLogger } from '../../functions/platform/logger';
import type { RecordedDelivery } from '../support/fake-ops';

const raw = env as unknown as Record<string, unknown> & { EMITTER_LIBSQL: Fetcher; OPS: Fetcher; WEBHOOK_SECRET: string };

/** The API token the test bindings carry; callEmitter sends it on /v1 unless told otherwise. */
export const TEST_API_TOKEN = 'emitter-api-token-for-tests-0123456789';

/** Emitter bindings with a short schedule: tests shorten timing through configuration only. */
export function emitterEnv(overrides: Partial<Record<keyof EmitterBindings, unknown>> = {}): EmitterBindings {
  return {
    ...raw,
    LIBSQL: raw.EMITTER_LIBSQL,
    OUTBOUND: raw.OPS,
    OPS_WEBHOOK_URL: 'http://ops.test/api/v1/webhooks/onboard',
    OPS_WEBHOOK_SECRET: raw.WEBHOOK_SECRET,
    OPS_WEBHOOK_TIMEOUT_MS: '300',
    OPS_WEBHOOK_RETRY_SCHEDULE: '40ms,80ms,120ms',
    PROBE_INTERVAL_MS: '100',
    SWEEP_TOKEN: 'sweep-token-for-tests',
    EMITTER_API_TOKEN: TEST_API_TOKEN,
    ...overrides,
  } as EmitterBindings;
}

/**
 * Calls the emitter and waits for its background work (the immediate delivery) to finish. A /v1
 * call carries the bindings' API token, as the portal's does, unless it sets Authorization itself
 * or the bindings hold another token (the access tests).
 */
export async function callEmitter(path: string, init: RequestInit = {}, bindings: EmitterBindings = emitterEnv()): Promise<Response> {
  const ctx = createExecutionContext();
  const request = new Request(`http://emitter.test${path}`, init);
  if (path.startsWith('/v1/') && !request.headers.has('authorization') && bindings.EMITTER_API_TOKEN === TEST_API_TOKEN) {
    request.headers.set('authorization', `Bearer ${TEST_API_TOKEN}`);
  }
  const res = await emitter.fetch(request, bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** POST /v1/events with a JSON body. */
export function emit(body: unknown, bindings: EmitterBindings = emitterEnv(), headers: Record<string, string> = {}) {
  return callEmitter(
    '/v1/events',
    { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) },
    bindings,
  );
}

/**
 * The delivery services' clock in a test: real time plus however far the test has moved it on,
 * so a test reaches a retry's time by moving the clock (through the `now` that DeliveryDeps
 * injects), not by sleeping.
 */
export class TestClock {
  #offset = 0;
  readonly now = (): number => Date.now() + this.#offset;
  advance(ms: number): this {
    this.#offset += ms;
    return this;
  }
}

/**
 * The sweeps' clock, one for the whole file: it only moves forward, as time does, so what a sweep
 * records (the last probe's time) is never ahead of a later sweep.
 */
export const sweepClock = new TestClock();

/** One sweep, as the host or the cron would run it, at the sweeps' clock's time. */
export function runSweep(bindings: EmitterBindings = emitterEnv()): Promise<SweepSummary> {
  const config = loadConfig(EMITTER_CONFIG, bindings as unknown as Record<string, unknown>);
  return drainOutbox({ ...cronDeliveryDeps(bindings, config, createLogger('error')), now: sweepClock.now });
}

/** Moves the sweeps' clock on by `stepMs` and sweeps, until `done()` holds or `rounds` sweeps have run. */
export async function sweepUntil(done: () => Promise<boolean>, bindings = emitterEnv(), rounds = 100, stepMs = 50) {
  for (let round = 0; !(await done()); round++) {
    if (round >= rounds) throw new Error(`condition not reached in ${rounds} sweeps`);
    sweepClock.advance(stepMs);
    await runSweep(bindings);
  }
}

/** What the fake Ops received for `sessionId`. */
export async function received(sessionId: string): Promise<RecordedDelivery[]> {
  return (await raw.OPS.fetch(`http://ops.test/__deliveries?session=${encodeURIComponent(sessionId)}`)).json();
}

/** Makes the fake Ops forget these sessions' events, as a receiver restored from an older backup would. */
export async function opsForget(sessions: string[]): Promise<void> {
  await raw.OPS.fetch('http://ops.test/__forget', { method: 'POST', body: JSON.stringify({ sessions }) });
}

/** Takes the fake Ops down (503 to everything) or brings it back. */
export async function setOpsDown(down: boolean): Promise<void> {
  await raw.OPS.fetch('http://ops.test/__control', { method: 'POST', body: JSON.stringify({ down }) });
}

export interface DeliveryView {
  delivery: { id: string; status: string; attempts: number; next_attempt_at: string | null; last_status: number | null; last_error: string | null };
  attempts: { attempt: number; trigger: string; status_code: number | null; error: string | null; outcome: string; response_body: string | null; started_at: string; next_attempt_at: string | null }[];
}

/** GET /v1/deliveries/:id. */
export async function delivery(id: string, bindings = emitterEnv()): Promise<DeliveryView> {
  return (await callEmitter(`/v1/deliveries/${id}`, {}, bindings)).json();
}
