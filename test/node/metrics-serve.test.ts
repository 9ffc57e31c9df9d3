/**
 * GET /metrics of both functions as deployed, after scripted scenarios: parsed whole by a real
 * parser, checked against the format rules, and the values exact.
 */
import { EMITTER_AUTH } from '../support/test-env';
import { describe, expect, it } from 'vitest';
import { makeEvent, type EventBody } from '../support/factories';
import { scrape, valueOf } from '../support/exposition';
import { serveFixture } from '../support/serve-fixture';
import { waitFor } from '../support/wait';
import { freePort, type ServeProcess } from '../../scripts/support/serve-process';

const SECRET = `metrics-${crypto.randomUUID()}-${crypto.randomUUID()}`;
const fx = serveFixture('metrics');
const ONBOARD = '/api/v1/webhooks/onboard';

function deliver(url: string, body: EventBody | string, secret = SECRET): Promise<Response> {
  return fetch(`${url}${ONBOARD}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-webhook-secret': secret },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}


const settle = () => new Promise((r) => setTimeout(r, 1100)); // past the one-second scrape cache

describe('receiver /metrics (black box)', () => {
  it('counts exactly the created, duplicate and refused deliveries, and the tickets, and keeps them across a restart', async () => {
    const env = { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${fx.file('receiver.db')}` };
    let proc: ServeProcess = await fx.serve('receiver', env);
    const events = [makeEvent(), makeEvent(), makeEvent({ event: 'onboarding.failed', data: { reason: 'dns timeout' } })];
    for (const event of events) expect((await deliver(proc.url, event)).status).toBe(201);
    for (const event of events.slice(0, 2)) expect((await deliver(proc.url, event)).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await deliver(proc.url, makeEvent(), `${SECRET}-wrong`)).status).toBe(401);
    expect((await deliver(proc.url, makeEvent({ domain: 'not a domain' }))).status).toBe(422);

    await waitFor(async () => valueOf(await scrape(proc.url), 'ops_webhook_receiver_rejections_total', { reason: 'unauthorized' }) === 4);
    let m = await scrape(proc.url);
    expect(valueOf(m, 'ops_webhook_receiver_deliveries_total', { event: 'account.created', outcome: 'created' })).toBe(2);
    expect(valueOf(m, 'ops_webhook_receiver_deliveries_total', { event: 'onboarding.failed', outcome: 'created' })).toBe(1);
    expect(valueOf(m, 'ops_webhook_receiver_deliveries_total', { event: 'account.created', outcome: 'duplicate' })).toBe(2);
    expect(valueOf(m, 'ops_webhook_receiver_rejections_total', { reason: 'validation_failed' })).toBe(1);
    expect(valueOf(m, 'ops_webhook_receiver_tickets', { status: 'open', priority: 'normal' })).toBe(2);
    expect(valueOf(m, 'ops_webhook_receiver_tickets', { status: 'open', priority: 'high' })).toBe(1);
    expect(valueOf(m, 'ops_webhook_build_info', { function: 'receiver' })).toBe(1);
    expect(m.get('ops_webhook_receiver_request_duration_seconds')?.type).toBe('HISTOGRAM');
    // Nothing personal in any label.
    const text = JSON.stringify([...m.values()]);
    for (const event of events) expect(text).not.toContain(event.session_id);
    expect(text).not.toContain('example.com');

    await proc.stop();
    proc = await fx.serve('receiver', env);
    m = await scrape(proc.url);
    expect(valueOf(m, 'ops_webhook_receiver_deliveries_total', { event: 'account.created', outcome: 'created' })).toBe(2);
    expect(valueOf(m, 'ops_webhook_receiver_rejections_total', { reason: 'unauthorized' })).toBe(4);
  });

  it('requires the bearer token when METRICS_TOKEN is set', async () => {
    const token = 'metrics-token-0123456789abcdef';
    const proc = await fx.serve('receiver', { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${fx.file('token.db')}`, METRICS_TOKEN: token });
    expect((await fetch(`${proc.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${proc.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    await scrape(proc.url, { authorization: `Bearer ${token}` });
  });
});

describe('emitter /metrics (black box)', () => {
  it('shows messages pending with a growing age while Ops is down, then delivered with successful attempts', async () => {
    const opsPort = await freePort();
    const emitter = await fx.serve('emitter', {
      OPS_WEBHOOK_URL: `http://127.0.0.1:${opsPort}${ONBOARD}`,
      OPS_WEBHOOK_SECRET: SECRET,
      OPS_WEBHOOK_RETRY_SCHEDULE: '200ms,400ms,1m,5m',
      OPS_WEBHOOK_TIMEOUT_MS: '2000',
      PROBE_INTERVAL_MS: '500',
      SWEEP_INTERVAL_MS: '200',
      DATABASE_URL: `file:${fx.file('emitter.db')}`,
    });
    const events = [makeEvent(), makeEvent(), makeEvent({ event: 'domain.validated', data: {} })];
    for (const event of events) {
      const res = await fetch(`${emitter.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...EMITTER_AUTH }, body: JSON.stringify(event) });
      expect(res.status).toBe(202);
    }
    await waitFor(async () => valueOf(await scrape(emitter.url), 'ops_webhook_emitter_ops_reachable') === 0);
    const early = await scrape(emitter.url);
    expect(valueOf(early, 'ops_webhook_emitter_messages', { status: 'pending' })).toBe(3);
    expect(valueOf(early, 'ops_webhook_emitter_accepted_total', { event: 'account.created' })).toBe(2);
    expect(valueOf(early, 'ops_webhook_emitter_accepted_total', { event: 'domain.validated' })).toBe(1);
    expect(valueOf(early, 'ops_webhook_emitter_attempts_total', { result: 'network_error' })).toBeGreaterThan(0);
    await settle();
    const later = await scrape(emitter.url);
    expect(valueOf(later, 'ops_webhook_emitter_oldest_pending_age_seconds')).toBeGreaterThan(valueOf(early, 'ops_webhook_emitter_oldest_pending_age_seconds'));

    await fx.serve('receiver', { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${fx.file('ops.db')}`, PORT: String(opsPort) });
    await waitFor(async () => valueOf(await scrape(emitter.url), 'ops_webhook_emitter_messages', { status: 'delivered' }) === 3);
    await settle();
    const done = await scrape(emitter.url);
    expect(valueOf(done, 'ops_webhook_emitter_messages', { status: 'pending' })).toBe(0);
    expect(valueOf(done, 'ops_webhook_emitter_oldest_pending_age_seconds')).toBe(0);
    expect(valueOf(done, 'ops_webhook_emitter_ops_reachable')).toBe(1);
    expect(valueOf(done, 'ops_webhook_emitter_attempts_total', { result: 'success' })).toBe(3);
    const histogram = done.get('ops_webhook_emitter_delivery_seconds')!.metrics[0]!;
    expect(Number(histogram.count)).toBe(3);
    expect(Number(histogram.sum)).toBeGreaterThan(0);
  });
});
