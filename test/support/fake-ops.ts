/**
 * A scriptable stand-in for the Ops receiver, for emitter tests. Each event's `data.script`
 * lists what to answer on successive attempts: a status (`"500"`), a status with Retry-After
 * (`"429:1"`), a status with an error code in the project's shape (`"422=unknown_event_type"`;
 * `"401=stale_timestamp"` also sends a `Date` ten minutes ahead), or `"hang"` (never answer). Past the end of the script it answers 201. Every
 * request is recorded with its headers and raw body. Like the real receiver it answers receipts
 * (POST …/receipts): the asked ids whose business key it has not answered 2xx for; `forget`
 * drops keys, as a receiver restored from an older backup would have.
 */
export interface RecordedDelivery {
  at: number;
  headers: Record<string, string>;
  body: string;
  answer: string;
}

export interface FakeOps {
  handle(request: Request): Promise<Response>;
  /** While true, every delivery is answered 503 (an Ops outage). */
  down: boolean;
  deliveries: RecordedDelivery[];
  /** Deliveries whose body carries `session_id`. */
  forSession(sessionId: string): RecordedDelivery[];
  /** Forgets every recorded event of these sessions (a restore from before they arrived). */
  forget(sessionIds: string[]): void;
}

interface AskedEvent {
  id: string;
  event: string;
  session_id: string;
  domain: string;
}

const keyOf = (e: { event: string; session_id: string; domain: string }) => `${e.event} ${e.session_id} ${e.domain.toLowerCase()}`;

export function createFakeOps(): FakeOps {
  const deliveries: RecordedDelivery[] = [];
  const attemptsById = new Map<string, number>();
  const recorded = new Set<string>();
  const fake: FakeOps = {
    down: false,
    deliveries,
    forSession: (sessionId) => deliveries.filter((d) => d.body.includes(`"session_id":"${sessionId}"`)),
    forget(sessionIds) {
      for (const key of [...recorded]) if (sessionIds.includes(key.split(' ')[1]!)) recorded.delete(key);
    },
    async handle(request) {
      const url = new URL(request.url);
      if (url.pathname === '/__forget') {
        fake.forget(((await request.json()) as { sessions: string[] }).sessions);
        return Response.json({ forgotten: true });
      }
      if (url.pathname.endsWith('/receipts')) {
        if (fake.down) return new Response('{"error":{"code":"down","message":"Ops is down"}}', { status: 503 });
        const { events } = (await request.json()) as { events: AskedEvent[] };
        return Response.json({ missing: events.filter((e) => !recorded.has(keyOf(e))).map((e) => e.id) });
      }
      // Control routes, so tests running inside workerd can steer and inspect this fake.
      if (url.pathname === '/__control') {
        if (request.method === 'POST') fake.down = ((await request.json()) as { down: boolean }).down;
        return Response.json({ down: fake.down });
      }
      if (url.pathname === '/__deliveries') {
        const session = url.searchParams.get('session');
        return Response.json(session ? fake.forSession(session) : deliveries);
      }
      const body = await request.text();
      const headers = Object.fromEntries(request.headers.entries());
      const id = headers['webhook-id'] ?? body;
      const attempt = attemptsById.get(id) ?? 0;
      attemptsById.set(id, attempt + 1);
      let script: string[] = [];
      try {
        const parsed = JSON.parse(body) as { data?: { script?: string[] } };
        script = parsed.data?.script ?? [];
      } catch {
        // Not JSON: answer by default.
      }
      const answer = fake.down ? '503' : (script[attempt] ?? '201');
      deliveries.push({ at: Date.now(), headers, body, answer });
      if (answer.startsWith('2')) {
        try {
          recorded.add(keyOf(JSON.parse(body) as AskedEvent));
        } catch {
          // Not an event: nothing to remember.
        }
      }
      if (answer === 'hang') return new Promise<Response>(() => undefined);
      const [reply, code] = answer.split('=');
      const [status, retryAfter] = reply!.split(':');
      const skewedMs = code === 'stale_timestamp' ? 600_000 : 0;
      return new Response(JSON.stringify(code ? { error: { code, message: `fake ${code}` } } : { fake: true, answer }), {
        status: Number(status),
        headers: { 'content-type': 'application/json', date: new Date(Date.now() + skewedMs).toUTCString(), ...(retryAfter ? { 'retry-after': retryAfter } : {}) },
      });
    },
  };
  return fake;
}
