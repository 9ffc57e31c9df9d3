/**
 * The OpenAPI documents as served: valid OpenAPI 3.1, every documented path routed, the
 * reference page and its assets served by the worker itself, and the documented request schema
 * agreeing with the server on generated event bodies (accepted ⇔ 2xx, refused ⇔ 422).
 */
import { EMITTER_AUTH, TEST_TICKETS_TOKEN } from '../support/test-env';
import { fc } from '@fast-check/vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../functions/contract/event-catalog';
import { makeEvent } from '../support/factories';
import { operationOf, schemaErrors } from '../support/openapi-check';
import { serveFixture } from '../support/serve-fixture';
import { freePort, type ServeProcess } from '../../scripts/support/serve-process';
import type { OpenApiDocument } from '../../functions/platform/openapi/document';

const SECRET = `openapi-${crypto.randomUUID()}-${crypto.randomUUID()}`;
const fx = serveFixture('openapi');
const SEED = 20261130;
const JSON_HEADERS = { 'content-type': 'application/json' };

const serveReceiver = (db: string) => fx.serve('receiver', { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${fx.file(db)}` });
const serveEmitter = async (db: string) =>
  fx.serve('emitter', {
    OPS_WEBHOOK_URL: `http://127.0.0.1:${await freePort()}/api/v1/webhooks/onboard`,
    OPS_WEBHOOK_SECRET: SECRET,
    OPS_WEBHOOK_ENABLED: 'false',
    DATABASE_URL: `file:${fx.file(db)}`,
  });

async function documentOf(proc: ServeProcess): Promise<OpenApiDocument> {
  const res = await fetch(`${proc.url}/openapi.json`);
  expect(res.status).toBe(200);
  return (await res.json()) as OpenApiDocument;
}

/** Calls every documented operation of `proc` with `ids` for path parameters; none may be unrouted (404 "no route") or 405. */
async function callEveryOperation(proc: ServeProcess, ids: Record<string, string>, headers: Record<string, string>, bodies: Record<string, unknown>) {
  const doc = await documentOf(proc);
  const calls: string[] = [];
  for (const [template, item] of Object.entries(doc.paths ?? {})) {
    for (const method of Object.keys(item as object)) {
      const path = template.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? '1');
      const body = bodies[`${method} ${template}`];
      const res = await fetch(`${proc.url}${path}`, {
        method: method.toUpperCase(),
        headers: { ...headers, ...(body === undefined ? {} : JSON_HEADERS) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      expect(res.status, `${method} ${path}: ${text.slice(0, 200)}`).not.toBe(405);
      if (res.status === 404) expect(text, `${method} ${path}`).not.toContain('no route');
      calls.push(`${method} ${template} ${res.status}`);
    }
  }
  return calls;
}

describe('OpenAPI documents (black box)', () => {
  it('are valid OpenAPI 3.1, and the emitter documents the delivery it sends under webhooks', async () => {
    const procs = [await serveReceiver('valid-r.db'), await serveEmitter('valid-e.db')];
    for (const proc of procs) {
      const doc = await documentOf(proc);
      expect(doc.openapi).toBe('3.1.0');
      const result = await new Validator().validate(doc as unknown as Record<string, unknown>);
      expect(result.errors ?? []).toEqual([]);
      expect(result.valid).toBe(true);
    }
    const emitterDoc = (await documentOf(procs[1]!)) as { webhooks?: Record<string, { post?: unknown }> };
    expect(emitterDoc.webhooks?.onboardingEvent?.post).toBeDefined();
  });

  it('route every documented path of the receiver', async () => {
    const proc = await serveReceiver('paths-r.db');
    const created = await fetch(`${proc.url}/api/v1/webhooks/onboard`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'x-webhook-secret': SECRET },
      body: JSON.stringify(makeEvent()),
    });
    const { ticket_id } = (await created.json()) as { ticket_id: number };
    const calls = await callEveryOperation(proc, { id: String(ticket_id) }, { 'x-webhook-secret': SECRET, authorization: `Bearer ${TEST_TICKETS_TOKEN}` }, { 'post /api/v1/webhooks/onboard': makeEvent() });
    expect(calls).toContain(`get /api/v1/tickets/{id} 200`);
    expect(calls).toContain(`post /api/v1/webhooks/onboard 201`);
  });

  it('route every documented path of the emitter', async () => {
    const proc = await serveEmitter('paths-e.db');
    const accepted = await fetch(`${proc.url}/v1/events`, { method: 'POST', headers: { ...JSON_HEADERS, ...EMITTER_AUTH }, body: JSON.stringify(makeEvent()) });
    const { id } = (await accepted.json()) as { id: string };
    const calls = await callEveryOperation(proc, { id }, EMITTER_AUTH, {
      'post /v1/events': makeEvent(),
      'post /v1/deliveries/redeliver': { status: 'dead' },
    });
    expect(calls).toContain('get /v1/deliveries/{id} 200');
    expect(calls).toContain('post /v1/events 202');
  });

  it('serve the reference page and its assets from the worker itself, with a strict CSP', async () => {
    const proc = await serveReceiver('docs.db');
    const page = await fetch(`${proc.url}/docs`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await page.text();
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of ['swagger-ui.css', 'swagger-ui-bundle.js', 'init.js']) {
      const res = await fetch(`${proc.url}/docs/${asset}`);
      expect(res.status, asset).toBe(200);
      expect((await res.arrayBuffer()).byteLength, asset).toBeGreaterThan(100);
    }
    expect((await fetch(`${proc.url}/docs/..%2Fpackage.json`)).status).toBe(404);
  });
});

/** Event bodies, valid and not: each field from its valid values or a wrong one. */
const bmpText = (max: number) => fc.string({ unit: fc.integer({ min: 0x20, max: 0xd7ff }).map((c) => String.fromCharCode(c)), maxLength: max });
const eventBody = fc.record(
  {
    event: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...EVENT_TYPES) }, { weight: 1, arbitrary: fc.oneof(bmpText(20), fc.integer()) }),
    domain: fc.oneof(
      { weight: 5, arbitrary: fc.domain() },
      { weight: 1, arbitrary: fc.domain().map((d) => `${d.toUpperCase()}.`) },
      { weight: 2, arbitrary: fc.oneof(bmpText(30), fc.constant('no-dot'), fc.constant('a..b'), fc.integer()) },
    ),
    session_id: fc.oneof(
      { weight: 5, arbitrary: fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/) },
      { weight: 1, arbitrary: fc.oneof(fc.constant(''), fc.constant(' padded '), bmpText(20), fc.constant('x'.repeat(129))) },
    ),
    occurred_at: fc.oneof(
      { weight: 4, arbitrary: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()) },
      { weight: 1, arbitrary: fc.oneof(bmpText(25), fc.constant('2026-13-01T00:00:00Z'), fc.constant('yesterday')) },
    ),
    data: fc.oneof(
      { weight: 5, arbitrary: fc.record({ admin_email: fc.constantFrom('admin@example.com', 'a.b+c@mail.example.org'), reason: fc.constantFrom('dns timeout', 'quota', 'x') }, { requiredKeys: [] }) },
      { weight: 1, arbitrary: fc.record({ admin_email: fc.oneof(bmpText(20), fc.constant('no-at-sign')), reason: fc.oneof(fc.constant('   '), fc.constant(''), fc.integer()) }, { requiredKeys: [] }) },
      { weight: 1, arbitrary: fc.oneof(fc.constant(null), fc.constant([1, 2]), fc.constant('text')) },
    ),
  },
  { requiredKeys: [] },
);

describe('the documented request schema and the receiver agree', () => {
  it('accepts (2xx) exactly the generated bodies the schema accepts, and refuses the others with 422', async () => {
    const proc = await serveReceiver('agree.db');
    const doc = await documentOf(proc);
    const schema = operationOf(doc, 'post', '/api/v1/webhooks/onboard')!.requestBody!.content!['application/json']!.schema!;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(eventBody, async (body) => {
        const expectedValid = schemaErrors(schema, body) === undefined;
        const res = await fetch(`${proc.url}/api/v1/webhooks/onboard`, {
          method: 'POST',
          headers: { ...JSON_HEADERS, 'x-webhook-secret': SECRET },
          body: JSON.stringify(body),
        });
        const text = await res.text();
        if (expectedValid) {
          accepted += 1;
          expect(res.status, text).toBeLessThan(300);
        } else expect(res.status, text).toBe(422);
      }),
      { seed: SEED, numRuns: 300 },
    );
    // The generator must produce both kinds for the property to say anything.
    expect(accepted).toBeGreaterThan(50);
    expect(accepted).toBeLessThan(280);
  });
});
