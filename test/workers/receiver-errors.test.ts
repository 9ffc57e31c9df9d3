/** Every client error answers the project's JSON error shape and writes nothing. */
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connection';
import { webhookEvents } from '../../db/receiver/schema';
import { makeEvent } from '../support/factories';
import { brokenDatabaseEnv, call, deliver, ENV, ONBOARD, SECRET } from './helpers';

interface ErrorBody {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}

async function eventsOf(sessionId: string): Promise<number> {
  const [row] = await openDatabase(ENV)
    .select({ n: sql<number>`count(*)` })
    .from(webhookEvents)
    .where(eq(webhookEvents.sessionId, sessionId));
  return row!.n;
}

describe('receiver errors', () => {
  it('answers 400 for malformed JSON', async () => {
    const res = await deliver('{"event": "account.created",');
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.code).toBe('malformed_json');
  });

  it('answers 422 listing each invalid field path, and writes nothing', async () => {
    const event = makeEvent({ domain: 'not a host', data: { admin_email: 'nope' } });
    const res = await deliver({ ...event, event: 'account.created' });
    expect(res.status).toBe(422);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details?.map((d) => d.path)).toEqual(['domain']);
    const bad = await deliver(makeEvent({ data: { admin_email: 'nope' } }));
    expect(((await bad.json()) as ErrorBody).error.details?.map((d) => d.path)).toEqual(['data.admin_email']);
    expect(await eventsOf(event.session_id)).toBe(0);
  });

  it('answers 422 for an unknown event type and for a missing reason on onboarding.failed', async () => {
    const unknown = await deliver(makeEvent({ event: 'account.deleted' }));
    expect(unknown.status).toBe(422);
    const body = (await unknown.json()) as ErrorBody;
    // Its own code: a newer emitter holds such an event until this receiver is upgraded.
    expect(body.error.code).toBe('unknown_event_type');
    expect(body.error.details?.[0]?.path).toBe('event');
    // A value that cannot be an event type at all is an ordinary validation failure.
    const junk = await deliver(makeEvent({ event: 'Not An Event!' }));
    expect(((await junk.json()) as ErrorBody).error).toMatchObject({ code: 'validation_failed', details: [{ path: 'event' }] });
    const failed = await deliver(makeEvent({ event: 'onboarding.failed', data: {} }));
    expect(((await failed.json()) as ErrorBody).error.details?.[0]?.path).toBe('data.reason');
  });

  it('answers 422 when X-Onboarding-Session disagrees with the body', async () => {
    const event = makeEvent();
    const res = await deliver(event, { 'x-onboarding-session': 'another-session' });
    expect(res.status).toBe(422);
    expect(((await res.json()) as ErrorBody).error.details?.[0]?.path).toBe('session_id');
    expect(await eventsOf(event.session_id)).toBe(0);
  });

  it('answers 422 for a JSON body that is not an object', async () => {
    expect((await deliver('[1,2,3]')).status).toBe(422);
  });

  it('answers 415 for a non-JSON content type', async () => {
    const res = await call(ONBOARD, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'x-webhook-secret': SECRET },
      body: JSON.stringify(makeEvent()),
    });
    expect(res.status).toBe(415);
    expect(((await res.json()) as ErrorBody).error.code).toBe('unsupported_media_type');
  });

  it('answers 413 for a body over 64 KiB announced by Content-Length', async () => {
    const event = makeEvent({ data: { admin_email: 'a@example.com', filler: 'x'.repeat(70 * 1024) } });
    const res = await deliver(event);
    expect(res.status).toBe(413);
    expect(((await res.json()) as ErrorBody).error.code).toBe('payload_too_large');
    expect(await eventsOf(event.session_id)).toBe(0);
  });

  it('answers 413 for a streamed body that grows past 64 KiB without Content-Length', async () => {
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > 200 * 1024) return controller.close();
        sent += 16 * 1024;
        controller.enqueue(new TextEncoder().encode(' '.repeat(16 * 1024)));
      },
    });
    const res = await call(ONBOARD, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-webhook-secret': SECRET },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(sent).toBeLessThan(200 * 1024);
  });

  it('answers 405 with Allow for another method on the webhook path', async () => {
    const res = await call(ONBOARD, { method: 'GET', headers: { 'x-webhook-secret': SECRET } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(((await res.json()) as ErrorBody).error.code).toBe('method_not_allowed');
  });

  it('answers 404 in the same shape for an unknown path', async () => {
    const res = await call('/nope');
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorBody).error.code).toBe('not_found');
  });

  it('answers 503 with Retry-After when the database is unreachable, so the sender retries', async () => {
    const res = await deliver(makeEvent(), {}, brokenDatabaseEnv());
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(((await res.json()) as ErrorBody).error.code).toBe('database_unavailable');
  });

  it('answers 500 misconfigured, without details, when the secret is too short', async () => {
    const res = await deliver(makeEvent(), {}, { ...ENV, WEBHOOK_SECRET: 'short' });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).toContain('misconfigured');
    expect(text).not.toContain('short');
  });

  it('answers 503 not_wired naming `npm run dev` when started without a database, as `wrangler dev` alone is', async () => {
    const { LIBSQL: _served, ...unwired } = ENV;
    for (const path of ['/healthz', '/desk', ONBOARD]) {
      const res = await call(path, {}, unwired);
      expect(res.status).toBe(503);
      const body = (await res.json()) as ErrorBody;
      expect(body.error.code).toBe('not_wired');
      expect(body.error.message).toContain('npm run dev');
    }
  });

  it('serves a worker whose database is a libSQL server by URL, without a LIBSQL binding', async () => {
    const { LIBSQL: _served, ...byUrl } = ENV;
    const res = await call('/healthz', {}, { ...byUrl, DATABASE_URL: 'http://127.0.0.1:9' });
    // Nothing listens there: the worker tries and its health check fails; it is not refused as unwired.
    expect(res.status).toBe(503);
    expect(((await res.json()) as ErrorBody).error.code).not.toBe('not_wired');
  });
});

describe('health', () => {
  it('answers 200 after a database round trip', async () => {
    const res = await call('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', database: 'ok' });
  });

  it('answers 503 when the database is unreachable', async () => {
    const res = await call('/healthz', {}, brokenDatabaseEnv());
    expect(res.status).toBe(503);
  });
});
