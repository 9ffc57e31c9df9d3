/**
 * Properties that keep the hostile-input findings found, checked over generated inputs with a
 * fixed seed (fast-check prints the seed and the smallest failing input when one fails):
 * the receiver never answers 5xx and writes only on 2xx; whatever the emitter accepts, the
 * receiver accepts; subjects are clean; log lines are single JSON objects with capped values.
 */
import { fc, it } from '@fast-check/vitest';
import { sql } from 'drizzle-orm';
import { describe, expect, vi } from 'vitest';
import { openDatabase } from '../../db/connection';
import { planTicket, MAX_SUBJECT } from '../../functions/receiver/intake/ticket-policy';
import { EVENT_TYPES, type OnboardingEvent } from '../../functions/contract/event-catalog';
import { MAX_LOG_VALUE } from '../../functions/platform/logger';
import { makeEvent } from '../support/factories';
import { emit, emitterEnv } from './emitter-helpers';
import { call, ENV, librarySignature, ONBOARD, SECRET } from './helpers';

const SEED = 20261130;

/** Any text, lone surrogates included (JSON can carry them as \\ud800 escapes). */
const anyText = (maxLength = 200) =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: fc.integer({ min: 0xd7f0, max: 0xe010 }).map((c) => String.fromCharCode(c)), maxLength }),
  );
const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 });
/** Text whose UTF-8 size is far above its length: the shape of the emitter's old size bug. */
const bulkyText = fc.integer({ min: 20_000, max: 34_000 }).map((n) => '\u00e9'.repeat(n));

async function eventRows(): Promise<number> {
  const [row] = await openDatabase(ENV).all<{ n: number }>(sql`SELECT count(*) AS n FROM webhook_events`);
  return row!.n;
}

const validEvent = fc.constant(null).map(() => makeEvent());

/** A valid event with one field replaced by an arbitrary JSON value. */
const mutatedEvent = fc
  .tuple(validEvent, fc.constantFrom('event', 'domain', 'session_id', 'occurred_at', 'data'), fc.jsonValue())
  .map(([event, field, value]) => JSON.stringify({ ...event, [field]: value }));

const body = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }),
  fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
  mutatedEvent,
  validEvent.map((e) => JSON.stringify(e)),
  anyText(500),
);

const headerSet = fc.record(
  {
    'x-webhook-secret': fc.oneof(fc.constant(SECRET), headerText),
    'content-type': fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/json; charset=latin1', 'application/cloudevents+json'),
    'webhook-id': headerText,
    'webhook-timestamp': fc.oneof(headerText, fc.constant(String(Math.floor(Date.now() / 1000)))),
    'webhook-signature': headerText,
    'x-onboarding-session': headerText,
  },
  { requiredKeys: [] },
);

describe('receiver over arbitrary requests', () => {
  it.prop([body, headerSet, fc.boolean()], { seed: SEED, numRuns: 300 })(
    'answers 2xx or 4xx, never 5xx, writes only when it answers 2xx, and logs one capped JSON object per line',
    async (payload, headers, signed) => {
      const raw = payload;
      const text = typeof raw === 'string' ? raw : new TextDecoder().decode(raw);
      const allHeaders = signed && typeof raw === 'string' ? { ...headers, ...librarySignature(SECRET, text) } : headers;
      const lines: string[] = [];
      const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
      const before = await eventRows();
      let status: number;
      try {
        const res = await call(ONBOARD, { method: 'POST', headers: allHeaders, body: raw }, { ...ENV, LOG_LEVEL: 'debug' });
        status = res.status;
        await res.arrayBuffer();
      } finally {
        spy.mockRestore();
      }
      expect(status).toBeLessThan(500);
      if (status >= 300) expect(await eventRows()).toBe(before);
      for (const line of lines) {
        const entry = JSON.parse(line) as unknown;
        expect(typeof entry === 'object' && entry !== null && !Array.isArray(entry)).toBe(true);
        for (const value of Object.values(entry as object)) {
          if (typeof value === 'string') expect(value.length).toBeLessThanOrEqual(MAX_LOG_VALUE + 40);
        }
      }
    },
  );

  it('is healthy after all of that', async () => {
    expect((await call('/healthz')).status).toBe(200);
  });
});

/** Mostly `valid`, sometimes anything: most inputs must pass validation for the property to say much. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<U>) => fc.oneof({ arbitrary: valid, weight: 5 }, { arbitrary: other, weight: 1 });

const eventInput = fc.record(
  {
    event: mostly(fc.constantFrom(...EVENT_TYPES), anyText(30)),
    domain: mostly(fc.domain(), anyText(40)),
    session_id: mostly(fc.stringMatching(/^[A-Za-z0-9._:-]{1,60}$/), anyText(40)),
    occurred_at: mostly(fc.date({ min: new Date(2000, 0, 1), max: new Date(2100, 0, 1), noInvalidDate: true }).map((d) => d.toISOString()), anyText(30)),
    data: mostly(
      fc.record(
        { admin_email: fc.emailAddress(), reason: fc.oneof(anyText().filter((r) => r.trim() !== ''), bulkyText), note: fc.oneof(anyText(), bulkyText) },
        { requiredKeys: ['admin_email', 'reason'] },
      ),
      fc.dictionary(anyText(20), fc.jsonValue(), { maxKeys: 5 }),
    ),
  },
  { requiredKeys: ['event', 'domain', 'session_id'] },
);

/**
 * An event input padded so that its JSON is within 120 bytes of the 64 KiB limit, often without
 * `occurred_at`: there, what the emitter adds before delivering tips it over the limit.
 */
const nearLimit = fc.tuple(eventInput, fc.integer({ min: 0, max: 120 }), fc.boolean()).map(([input, slack, dropTime]) => {
  const { occurred_at, ...rest } = input;
  const shell = { ...(dropTime ? rest : { ...rest, occurred_at }), data: { ...(typeof input.data === 'object' ? input.data : {}), pad: '' } };
  const size = new TextEncoder().encode(JSON.stringify(shell)).byteLength;
  return { ...shell, data: { ...shell.data, pad: 'p'.repeat(Math.max(0, 64 * 1024 - slack - size)) } };
});

describe('emitter and receiver agree', () => {
  it.prop([fc.oneof(eventInput, nearLimit)], { seed: SEED, numRuns: 200 })('delivers to a 2xx whatever the emitter accepts with 202', async (input) => {
    const bindings = emitterEnv({ OPS_WEBHOOK_ENABLED: 'false' });
    const accepted = await emit(input, bindings);
    if (accepted.status !== 202) {
      expect(accepted.status).toBeLessThan(500);
      return;
    }
    const { id } = (await accepted.json()) as { id: string };
    const { rows } = await openDatabase(bindings).$client.execute({ sql: 'SELECT payload, session_id FROM outbox_messages WHERE id = ?', args: [id] });
    const row = rows[0] as unknown as { payload: string; session_id: string };
    const delivered = await call(ONBOARD, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-webhook-secret': SECRET, 'x-onboarding-session': row.session_id },
      body: row.payload,
    });
    expect(delivered.status, await delivered.clone().text()).toBeGreaterThanOrEqual(200);
    expect(delivered.status).toBeLessThan(300);
  });
});

describe('ticket subjects', () => {
  const failedEvent = fc.record({ reason: anyText(400), domain: fc.domain() }).map(
    ({ reason, domain }): OnboardingEvent => ({ event: 'onboarding.failed', domain, session_id: 's', data: { reason } }),
  );

  it.prop([failedEvent], { seed: SEED, numRuns: 1000 })('are valid Unicode, free of control characters, at most 200 characters', (event) => {
    const plan = planTicket(event);
    if (plan.action !== 'open') throw new Error('onboarding.failed must open a ticket');
    expect([...plan.subject].length).toBeLessThanOrEqual(MAX_SUBJECT);
    expect(plan.subject).not.toMatch(/\p{Cc}/u);
    expect(plan.subject).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });
});
