/**
 * A scriptable stand-in for the host's notification relay (the receiver's NOTIFY binding), for
 * tests inside workerd. It records every mail and chat message it is handed. What it answers is
 * scripted per ticket through its control route (`POST /__script {key, answers}`, key
 * `ticket-<id>` or `digest`): a status (`"503"`, `"422"`) per successive message of that key, then
 * 200 with a mail server's reply. `GET /__sent?key=…` lists what it got for a key.
 */
export interface RelayedMessage {
  path: '/mail' | '/chat';
  key: string;
  body: Record<string, unknown>;
  answered: number;
}

/** The ticket (or digest) a message is about: from the mail's Message-ID, or the chat text's `#<id>`. */
function keyOf(path: string, body: Record<string, unknown>): string {
  if (path === '/mail') {
    const id = String(body.messageId ?? '');
    return /^<(ticket-\d+)\./.exec(id)?.[1] ?? (id.startsWith('<digest-') ? 'digest' : 'unknown');
  }
  const text = String(body.text ?? '');
  return /Ticket:\s+#(\d+)/.exec(text) ? `ticket-${/Ticket:\s+#(\d+)/.exec(text)![1]}` : text.startsWith('Ops desk:') ? 'digest' : 'unknown';
}

export function createFakeRelay(): { handle(request: Request): Promise<Response> } {
  const sent: RelayedMessage[] = [];
  const scripts = new Map<string, string[]>();
  return {
    async handle(request) {
      const url = new URL(request.url);
      if (url.pathname === '/__script') {
        const { key, answers } = (await request.json()) as { key: string; answers: string[] };
        scripts.set(key, [...answers]);
        return Response.json({ ok: true });
      }
      if (url.pathname === '/__sent') return Response.json(sent.filter((m) => m.key === url.searchParams.get('key')));
      if (request.method !== 'POST' || (url.pathname !== '/mail' && url.pathname !== '/chat')) return new Response('not found', { status: 404 });
      const body = (await request.json()) as Record<string, unknown>;
      const key = keyOf(url.pathname, body);
      const answer = Number(scripts.get(key)?.shift() ?? '200');
      sent.push({ path: url.pathname, key, body, answered: answer });
      if (answer === 200) return Response.json(url.pathname === '/mail' ? { accepted: body.to, response: '250 2.0.0 Ok: queued as FAKE1' } : { response: 'ok' });
      const code = answer === 422 ? 'smtp_refused' : 'smtp_unreachable';
      return Response.json({ error: { code, message: `scripted ${answer}` } }, { status: answer, headers: answer === 503 ? { 'retry-after': '1' } : {} });
    },
  };
}
