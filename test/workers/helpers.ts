/** Helpers for in-workerd receiver tests: deliver events through the app with real bindings. */
import { env } from 'cloudflare:test';
import { Webhook } from 'standardwebhooks';
import app from '../../functions/receiver/index';
import type { ReceiverBindings } from '../../functions/receiver/config';
import type { EventBody } from '../support/factories';

export const ENV = env as unknown as ReceiverBindings;
export const SECRET: string = ENV.WEBHOOK_SECRET!;
const TEST_TICKETS_TOKEN: string = ENV.TICKETS_API_TOKEN!;
export const ONBOARD = '/api/v1/webhooks/onboard';

/** Calls the receiver app in-process with `bindings` (default: the test env). */
export function call(path: string, init: RequestInit = {}, bindings: object = ENV): Promise<Response> {
  return Promise.resolve(app.request(path, init, bindings));
}

/** POSTs `body` (an object, or raw text) to the onboard endpoint with the shared secret header. */
export function deliver(
  body: EventBody | string,
  headers: Record<string, string> = {},
  bindings: object = ENV,
): Promise<Response> {
  return call(
    ONBOARD,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-webhook-secret': SECRET, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    },
    bindings,
  );
}

/** Standard Webhooks headers made by the reference library for `raw` with `secret`'s UTF-8 bytes. */
export function librarySignature(secret: string, raw: string, msgId = `msg_${crypto.randomUUID()}`, at = new Date()) {
  const wh = secret.startsWith('whsec_') ? new Webhook(secret) : new Webhook(new TextEncoder().encode(secret), { format: 'raw' });
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': wh.sign(msgId, at, raw),
  };
}

/** GET with the shared secret. */
export function authedGet(path: string, bindings: object = ENV): Promise<Response> {
  return call(path, { headers: { authorization: `Bearer ${TEST_TICKETS_TOKEN}` } }, bindings);
}

/** Bindings whose database cannot be reached. */
export function brokenDatabaseEnv(): object {
  return {
    ...ENV,
    LIBSQL: { fetch: () => Promise.reject(new TypeError('connect ECONNREFUSED')) },
  };
}
