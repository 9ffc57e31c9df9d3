/** Authentication of the receiver: shared secret (with rotation) and Standard Webhooks signatures. */
import { Webhook } from 'standardwebhooks';
import { describe, expect, it, vi } from 'vitest';
import { signatureHeaders } from '../../functions/contract/signing';
import { makeEvent } from '../support/factories';
import { call, deliver, ENV, librarySignature, ONBOARD, SECRET } from './helpers';

function post(raw: string, headers: Record<string, string>, bindings: object = ENV) {
  return call(ONBOARD, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw }, bindings);
}

async function errorCode(res: Response) {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

describe('receiver authentication', () => {
  it('answers 401 without a secret or signature', async () => {
    const res = await post(JSON.stringify(makeEvent()), {});
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe('unauthorized');
  });

  it('answers 401 for a wrong secret', async () => {
    const res = await post(JSON.stringify(makeEvent()), { 'x-webhook-secret': `${SECRET}x` });
    expect(res.status).toBe(401);
  });

  it('accepts the previous secret during a rotation', async () => {
    const res = await post(JSON.stringify(makeEvent()), { 'x-webhook-secret': ENV.WEBHOOK_SECRET_PREVIOUS! });
    expect(res.status).toBe(201);
  });

  it('answers 401 stale_timestamp, with its own Date, for a valid signature made ten minutes off (clock skew, not a wrong secret)', async () => {
    const raw = JSON.stringify(makeEvent());
    for (const offsetMs of [600_000, -600_000]) {
      const res = await post(raw, signatureHeaders(SECRET, `msg_skew_${offsetMs}`, raw, new Date(Date.now() + offsetMs)));
      expect(res.status).toBe(401);
      expect(await errorCode(res)).toBe('stale_timestamp');
      expect(Math.abs(Date.parse(res.headers.get('date')!) - Date.now())).toBeLessThan(5000);
    }
    const wrong = await post(raw, signatureHeaders(`${SECRET}x`, 'msg_wrong', raw));
    expect(await errorCode(wrong)).toBe('unauthorized');
  });

  it('sends its Date with an accepted delivery, so the emitter can compare clocks', async () => {
    const raw = JSON.stringify(makeEvent());
    const res = await post(raw, librarySignature(SECRET, raw));
    expect(res.status).toBe(201);
    expect(Math.abs(Date.parse(res.headers.get('date')!) - Date.now())).toBeLessThan(5000);
  });

  it('accepts a signature made by the standardwebhooks library, with no secret header', async () => {
    const raw = JSON.stringify(makeEvent());
    const res = await post(raw, librarySignature(SECRET, raw));
    expect(res.status).toBe(201);
  });

  it('accepts a signature made with the previous secret', async () => {
    const raw = JSON.stringify(makeEvent());
    expect((await post(raw, librarySignature(ENV.WEBHOOK_SECRET_PREVIOUS!, raw))).status).toBe(201);
  });

  it('accepts a header listing several signatures when one matches (sender-side rotation)', async () => {
    const raw = JSON.stringify(makeEvent());
    const headers = librarySignature(SECRET, raw);
    const other = librarySignature('another-secret-of-at-least-32-chars!!', raw, headers['webhook-id']);
    headers['webhook-signature'] = `${other['webhook-signature']} ${headers['webhook-signature']}`;
    expect((await post(raw, headers)).status).toBe(201);
  });

  it('produces signatures that the standardwebhooks library verifies', () => {
    const raw = JSON.stringify(makeEvent());
    const headers = signatureHeaders(SECRET, 'msg_interop', raw);
    const wh = new Webhook(new TextEncoder().encode(SECRET), { format: 'raw' });
    expect(() => wh.verify(raw, headers)).not.toThrow();
  });

  it('verifies whsec_ secrets as base64 keys, both ways', async () => {
    const key = `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;
    const bindings = { ...ENV, WEBHOOK_SECRET: key };
    const raw = JSON.stringify(makeEvent());
    expect((await post(raw, librarySignature(key, raw), bindings)).status).toBe(201);
    const ours = signatureHeaders(key, 'msg_whsec', raw);
    expect(() => new Webhook(key).verify(raw, ours)).not.toThrow();
  });

  it('answers 401 for a bad signature even when the secret header is right', async () => {
    const raw = JSON.stringify(makeEvent());
    const headers = librarySignature('not-the-secret-but-long-enough-000000', raw);
    expect((await post(raw, { ...headers, 'x-webhook-secret': SECRET })).status).toBe(401);
  });

  it('answers 401 for a signature over a different body', async () => {
    const raw = JSON.stringify(makeEvent());
    const headers = librarySignature(SECRET, raw);
    expect((await post(raw.replace('admin@', 'root@'), headers)).status).toBe(401);
  });

  it('answers 401 for a correctly signed request older than five minutes', async () => {
    const raw = JSON.stringify(makeEvent());
    const headers = librarySignature(SECRET, raw, 'msg_old', new Date(Date.now() - 6 * 60_000));
    const res = await post(raw, { ...headers, 'x-webhook-secret': SECRET });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/window/);
  });

  it('answers 401 when only some signature headers are present', async () => {
    const raw = JSON.stringify(makeEvent());
    const { 'webhook-signature': _omitted, ...partial } = librarySignature(SECRET, raw);
    expect((await post(raw, { ...partial, 'x-webhook-secret': SECRET })).status).toBe(401);
  });

  it('requires a signature when WEBHOOK_REQUIRE_SIGNATURE is true', async () => {
    const bindings = { ...ENV, WEBHOOK_REQUIRE_SIGNATURE: 'true' };
    const raw = JSON.stringify(makeEvent());
    expect((await post(raw, { 'x-webhook-secret': SECRET }, bindings)).status).toBe(401);
    expect((await post(raw, librarySignature(SECRET, raw), bindings)).status).toBe(201);
  });

  it('deduplicates a signed redelivery by webhook-id', async () => {
    const raw = JSON.stringify(makeEvent());
    const headers = librarySignature(SECRET, raw);
    const first = await post(raw, headers);
    const second = await post(raw, librarySignature(SECRET, raw, headers['webhook-id']));
    expect([first.status, second.status]).toEqual([201, 200]);
  });

  it('logs the failure reason but never the secret or the signature', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    const raw = JSON.stringify(makeEvent());
    const headers = librarySignature('wrong-secret-but-long-enough-0000000', raw);
    try {
      const verbose = { ...ENV, LOG_LEVEL: 'info' };
      await post(raw, { ...headers, 'x-webhook-secret': SECRET, 'x-forwarded-for': '127.0.0.9' }, verbose);
      await deliver(makeEvent(), { 'x-webhook-secret': 'guess-guess-guess-guess-guess-guess' }, verbose);
    } finally {
      spy.mockRestore();
    }
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.filter((e) => e.msg === 'request').map((e) => [e.status, e.reason])).toEqual([
      [401, 'bad_signature'],
      [401, 'bad_secret'],
    ]);
    expect(entries[0]).toMatchObject({ forwarded_for: '127.0.0.9', method: 'POST', path: ONBOARD });
    const text = lines.join('\n');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(headers['webhook-signature'].slice(3));
    expect(text).not.toContain('guess-guess');
  });
});
