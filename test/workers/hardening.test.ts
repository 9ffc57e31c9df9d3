/**
 * What a hostile client found, kept found: bodies that lie about their length or encoding,
 * oversized log values, subjects broken by control characters or a cut through a character,
 * a reused webhook-id, a full disk, and the emitter accepting what Ops would refuse.
 */
import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../db/connection';
import { tickets, webhookEvents } from '../../db/receiver/schema';
import { makeEvent } from '../support/factories';
import { emit, emitterEnv } from './emitter-helpers';
import { call, deliver, ENV, librarySignature, ONBOARD, SECRET } from './helpers';

interface ErrorBody {
  error: { code: string; message: string };
}

const code = async (res: Response) => ((await res.json()) as ErrorBody).error.code;

async function countEvents(sessionId: string): Promise<number> {
  const [row] = await openDatabase(ENV)
    .select({ n: sql<number>`count(*)` })
    .from(webhookEvents)
    .where(eq(webhookEvents.sessionId, sessionId));
  return row!.n;
}

/** Captures the JSON log lines written while `fn` runs (at LOG_LEVEL debug). */
async function logsOf(fn: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
  try {
    await fn();
  } finally {
    spy.mockRestore();
  }
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

const VERBOSE = { ...ENV, LOG_LEVEL: 'debug' };

/** A request body stream that sends `text`, then fails as a vanished client does. */
function vanishingBody(text: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      controller.error(new TypeError('Network connection lost.'));
    },
  });
}

describe('receiver: bodies that lie', () => {
  // Without a length the body is read chunk by chunk; with one it is taken whole (read-body.ts).
  it.each([
    ['chunked, without a length', {}],
    ['with a declared Content-Length', { 'content-length': '64' }],
  ])('answers 400 incomplete_body, at warn level, when the body ends early (%s)', async (_, length) => {
    const entries = await logsOf(async () => {
      const res = await call(
        ONBOARD,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-webhook-secret': SECRET, ...length },
          body: vanishingBody('{"event":'),
          duplex: 'half',
        } as RequestInit,
        VERBOSE,
      );
      expect(res.status).toBe(400);
      expect(await code(res)).toBe('incomplete_body');
    });
    expect(entries.some((e) => e.level === 'error')).toBe(false);
    expect(entries.find((e) => e.msg === 'request')).toMatchObject({ level: 'warn', status: 400 });
  });

  it('answers 400 invalid_utf8 for a body that is not UTF-8, and records nothing', async () => {
    const event = makeEvent({ data: { admin_email: 'admin@example.com', note: 'X' } });
    const bytes = new TextEncoder().encode(JSON.stringify(event));
    bytes[bytes.indexOf('X'.charCodeAt(0))] = 0xff;
    const res = await call(ONBOARD, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-webhook-secret': SECRET },
      body: bytes,
    });
    expect(res.status).toBe(400);
    expect(await code(res)).toBe('invalid_utf8');
    expect(await countEvents(event.session_id)).toBe(0);
  });

  it('answers 415 for a charset other than UTF-8, and accepts utf-8 however it is spelled', async () => {
    const refused = await deliver(makeEvent(), { 'content-type': 'application/json; charset=iso-8859-1' });
    expect(refused.status).toBe(415);
    expect(await code(refused)).toBe('unsupported_media_type');
    expect((await deliver(makeEvent(), { 'content-type': 'application/json; charset="UTF-8"' })).status).toBe(201);
  });

  it('accepts a leading BOM and verifies a signature over the bytes as received, BOM included', async () => {
    const raw = `\uFEFF${JSON.stringify(makeEvent())}`;
    const res = await call(ONBOARD, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...librarySignature(SECRET, raw) },
      body: raw,
    });
    expect(res.status).toBe(201);
  });
});

describe('receiver: what a hostile client can put in the log', () => {
  it('caps every logged value taken from the request', async () => {
    const huge = 'w'.repeat(60_000);
    const entries = await logsOf(async () => {
      await call(ONBOARD, { method: 'POST', headers: { 'webhook-id': huge, 'content-type': 'application/json' }, body: '{}' }, VERBOSE);
      await call(`/${'p'.repeat(100_000)}`, {}, VERBOSE);
    });
    expect(entries.length).toBeGreaterThanOrEqual(2);
    for (const entry of entries) {
      for (const value of Object.values(entry)) if (typeof value === 'string') expect(value.length).toBeLessThanOrEqual(240);
    }
    expect(entries.find((e) => e.status === 401)?.webhook_id).toMatch(/^w+… \(\d+ more characters\)$/);
  });
});

describe('receiver: ticket subjects', () => {
  async function subjectOf(reason: string): Promise<string> {
    const res = await deliver(makeEvent({ event: 'onboarding.failed', data: { reason } }));
    expect(res.status).toBe(201);
    const { ticket_id } = (await res.json()) as { ticket_id: number };
    const [row] = await openDatabase(ENV).select().from(tickets).where(eq(tickets.id, ticket_id));
    return row!.subject;
  }

  it('replaces control characters in the subject, keeping the event data verbatim', async () => {
    const event = makeEvent({ event: 'onboarding.failed', data: { reason: 'disk\u0000full\u001b[31m now' } });
    const res = await deliver(event);
    const { ticket_id, event_id } = (await res.json()) as { ticket_id: number; event_id: number };
    const [ticket] = await openDatabase(ENV).select().from(tickets).where(eq(tickets.id, ticket_id));
    expect(ticket!.subject).toBe(`[onboarding.failed] ${event.domain} \u2014 disk full [31m now`);
    const [stored] = await openDatabase(ENV).select().from(webhookEvents).where(eq(webhookEvents.id, event_id));
    expect((JSON.parse(stored!.data) as { reason: string }).reason).toBe('disk\u0000full\u001b[31m now');
  });

  it('cuts a long subject on a whole character, never through one', async () => {
    const family = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}';
    // Emoji of two UTF-16 units each, shifted by one unit in the second case: a cut by units splits one of them.
    for (const reason of ['\u{1F600}'.repeat(250), `x${'\u{1F600}'.repeat(250)}`, family.repeat(60)]) {
      const subject = await subjectOf(reason);
      expect(subject).not.toContain('\uFFFD');
      expect([...subject].length).toBeLessThanOrEqual(200);
      expect(subject.endsWith('\u2026')).toBe(true);
      // No lone surrogate: the text survives a strict UTF-8 round trip.
      expect(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(new TextEncoder().encode(subject))).toBe(subject);
      // And no family is broken apart: the kept part ends where the reason's characters end.
      const kept = subject.slice(subject.indexOf('\u2014 ') + 2, -1);
      if (reason.startsWith(family)) expect(kept.length % family.length).toBe(0);
    }
  });
});

describe('receiver: one webhook-id names one message', () => {
  it('answers 409 webhook_id_conflict for a reused webhook-id with another business key, and records nothing', async () => {
    const first = JSON.stringify(makeEvent());
    const headers = librarySignature(SECRET, first);
    expect((await call(ONBOARD, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: first })).status).toBe(201);
    const other = makeEvent();
    const raw = JSON.stringify(other);
    const res = await call(ONBOARD, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...librarySignature(SECRET, raw, headers['webhook-id']) },
      body: raw,
    });
    expect(res.status).toBe(409);
    expect(await code(res)).toBe('webhook_id_conflict');
    expect(await countEvents(other.session_id)).toBe(0);
  });
});

describe('receiver: a full disk', () => {
  const db = () => openDatabase(ENV).$client;
  afterEach(async () => {
    await db().execute('PRAGMA max_page_count = 1073741823');
  });

  it('answers 503 with Retry-After, never 500, when SQLite reports the disk full', async () => {
    const [{ page_count }] = (await db().execute('PRAGMA page_count')).rows as unknown as [{ page_count: number }];
    await db().execute(`PRAGMA max_page_count = ${page_count}`);
    const statuses = new Set<number>();
    for (let i = 0; i < 40 && !statuses.has(503); i++) {
      statuses.add((await deliver(makeEvent({ data: { admin_email: 'a@example.com', pad: 'z'.repeat(4000) } }))).status);
    }
    expect(statuses.has(503)).toBe(true);
    expect(statuses.has(500)).toBe(false);
  });
});

describe('emitter: never a 202 for an event Ops would refuse', () => {
  it('answers 413 when the body it would deliver exceeds the limit, though the request itself fits', async () => {
    const base = makeEvent({ event: 'domain.validated', data: {} });
    const shell = JSON.stringify({ ...base, data: { pad: '' } });
    const body = JSON.stringify({ ...base, data: { pad: 'y'.repeat(65_536 - shell.length) } });
    expect(new TextEncoder().encode(body).byteLength).toBe(65_536);
    const res = await emit(JSON.parse(body));
    expect(res.status).toBe(413);
    expect(await code(res)).toBe('payload_too_large');
  });

  it('accepts Authorization with the scheme in any case', async () => {
    const bindings = emitterEnv({ EMITTER_API_TOKEN: 'token-for-tests-0123456789' });
    const res = await emit(makeEvent(), bindings, { authorization: 'bearer token-for-tests-0123456789' });
    expect(res.status).toBe(202);
  });
});

describe('database errors', () => {
  it('classes a full disk, an I/O error and a file that cannot be opened as unavailable (503), a bad statement as not', async () => {
    const { isDatabaseUnavailable } = await import('../../functions/platform/database-errors');
    const failure = (code: string) => Object.assign(new Error(code), { code });
    for (const code of ['SQLITE_FULL', 'SQLITE_IOERR_WRITE', 'SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_BUSY']) {
      expect(isDatabaseUnavailable(failure(code)), code).toBe(true);
    }
    expect(isDatabaseUnavailable(failure('SQLITE_CONSTRAINT_UNIQUE'))).toBe(false);
    expect(isDatabaseUnavailable(failure('SQLITE_ERROR'))).toBe(false);
  });

  it('takes only positive evidence as unavailable: an unreachable endpoint or its server error, never an error without a code', async () => {
    const { isDatabaseUnavailable } = await import('../../functions/platform/database-errors');
    const { DatabaseUnreachable } = await import('../../db/connection');
    const wrapped = (inner: Error) => Object.assign(new Error('Failed query'), { cause: inner });
    expect(isDatabaseUnavailable(new DatabaseUnreachable(new TypeError('Network connection lost')))).toBe(true);
    expect(isDatabaseUnavailable(wrapped(new DatabaseUnreachable(new TypeError('connect ECONNREFUSED'))))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('Server returned HTTP status 502'), { code: 'SERVER_ERROR' }))).toBe(true);
    expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined (reading 'subject')"))).toBe(false);
    expect(isDatabaseUnavailable(new Error('anything else'))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('misuse'), { code: 'MISUSE' }))).toBe(false);
  });
});
