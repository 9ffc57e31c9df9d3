/**
 * `npm run bench -- people`: how soon a person sees an onboarding's trouble. The real emitter
 * and receiver on loopback, the receiver with its desk (OPERATOR_USERS) and notifications (a real
 * SMTP submission server with STARTTLS and AUTH; its certificate made here). For each of 30
 * `onboarding.failed` events, from the portal's call (POST /v1/events on the emitter):
 *
 * - to the desk: an open desk's live stream (GET /desk/live) says `changed`, and the list's
 *   fragment, fetched then as the page does, holds the new ticket;
 * - to the mail server: the SMTP server accepted the notification.
 *
 * Target (issue "From ticket to a person"): p95 to the desk ≤ 1 s.
 */
import { join } from 'node:path';
import { operatorEntry } from '../../functions/operator-area/password';
import { freePort, startServe } from '../support/serve-process';
import { RUN_EMITTER_AUTH } from '../support/serve-tokens';
import { startSmtpServer } from '../support/smtp-test-server';
import { testCertificates } from '../support/test-certificates';
import { quantile } from './measure';

const EVENTS = 30;
const DESK_TARGET_MS = 1000;
const PASSWORD = 'bench operator password';

export async function measurePeople(dir: string, secret: string): Promise<string[]> {
  const certs = testCertificates();
  certs.makeCa('mail-ca');
  certs.makeLeaf('mail-ca', 'mail', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth');
  const smtpPassword = `bench-${crypto.randomUUID()}`;
  const smtp = await startSmtpServer({ certFile: certs.file('mail.pem'), keyFile: certs.file('mail.key'), user: 'desk', password: smtpPassword });
  // The desk's origin is its PUBLIC_ORIGIN (notifications link to it), so its port is chosen first.
  const port = await freePort();
  const receiver = await startServe('receiver', {
    PORT: String(port),
    WEBHOOK_SECRET: secret,
    DATABASE_URL: `file:${join(dir, 'people-receiver.db')}`,
    OPERATOR_USERS: await operatorEntry('ana', PASSWORD),
    NOTIFY_SMTP_URL: `smtp://desk:${smtpPassword}@127.0.0.1:${smtp.port}`,
    NOTIFY_SMTP_CA_FILE: certs.file('mail-ca.pem'),
    NOTIFY_EMAIL_FROM: 'ops-desk@example.com',
    NOTIFY_EMAIL_TO: 'ana@example.com',
    PUBLIC_ORIGIN: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'error',
  });
  const emitter = await startServe('emitter', {
    OPS_WEBHOOK_URL: `${receiver.url}/api/v1/webhooks/onboard`,
    OPS_WEBHOOK_SECRET: secret,
    DATABASE_URL: `file:${join(dir, 'people-emitter.db')}`,
    LOG_LEVEL: 'error',
  });
  const stream = new AbortController();
  try {
    const origin = receiver.url;
    const signIn = await fetch(`${origin}/desk/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams({ username: 'ana', password: PASSWORD }).toString(),
      redirect: 'manual',
    });
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    // The open desk: its stream, read as it comes; each `changed` wakes whoever waits for the next.
    const live = await fetch(`${origin}/desk/live`, { headers: { cookie }, signal: stream.signal });
    let wake: () => void = () => undefined;
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of live.body as unknown as AsyncIterable<Uint8Array>) if (decoder.decode(chunk).includes('event: changed')) wake();
    })().catch(() => undefined);
    const fragmentHolds = async (domain: string) =>
      (await (await fetch(`${origin}/desk/fragment`, { headers: { cookie, 'hx-request': 'true', 'hx-trigger': 'tickets' } })).text()).includes(domain);

    const toDesk: number[] = [];
    const toMail: number[] = [];
    for (let i = 0; i < EVENTS; i++) {
      const domain = `people-${i}-${Date.now().toString(36)}.example.com`;
      const changed = () => new Promise<void>((resolve) => (wake = resolve));
      let next = changed();
      const started = performance.now();
      const startedWall = Date.now();
      const accepted = await fetch(`${emitter.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...RUN_EMITTER_AUTH },
        body: JSON.stringify({ event: 'onboarding.failed', domain, session_id: `people-${i}`, data: { reason: 'bench' } }),
      });
      if (accepted.status !== 202) throw new Error(`the emitter answered ${accepted.status}`);
      for (;;) {
        await Promise.race([next, new Promise((r) => setTimeout(r, 5000))]);
        next = changed();
        if (await fragmentHolds(domain)) break;
      }
      toDesk.push(performance.now() - started);
      while (!smtp.received.some((m) => m.mail.subject?.includes(domain))) await new Promise((r) => setTimeout(r, 5));
      toMail.push(smtp.received.find((m) => m.mail.subject?.includes(domain))!.at - startedWall);
      await new Promise((r) => setTimeout(r, 200));
    }
    stream.abort();
    await reading;
    const p95 = quantile(toDesk, 0.95);
    return [
      `from the portal's call to a person (${EVENTS} onboarding.failed events, one at a time):`,
      `  to an open desk page (live stream, then its fragment): p50 ${quantile(toDesk, 0.5).toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${Math.max(...toDesk).toFixed(0)} ms`,
      `  to the SMTP server's acceptance (STARTTLS, AUTH):      p50 ${quantile(toMail, 0.5).toFixed(0)} ms, p95 ${quantile(toMail, 0.95).toFixed(0)} ms, max ${Math.max(...toMail).toFixed(0)} ms`,
      `  ${p95 <= DESK_TARGET_MS ? 'MET ' : 'MISS'} p95 from the portal to the desk ≤ ${DESK_TARGET_MS} ms`.padEnd(60) + ` ${p95.toFixed(0)} ms`,
    ];
  } finally {
    stream.abort();
    await emitter.stop();
    await receiver.stop();
    await smtp.close();
    certs.remove();
  }
}
