/**
 * The receiver's notification relay: the mail binding on the VMs. The worker decides and renders
 * each notification and hands it here through its NOTIFY binding (a unix socket, 0600, in the
 * host's private runtime folder); the relay submits mail with nodemailer (STARTTLS required on
 * smtp://, implicit TLS on smtps://, the private CA of NOTIFY_SMTP_CA_FILE) and posts chat messages
 * to NOTIFY_WEBHOOK_URL. Those are the only places it sends to, and workerd itself has no network
 * for them: the worker reaches exactly the configured mail and chat hosts, nothing else.
 *
 * Its answers are what the outbox engine reads: 200 accepted; 422 refused for good (the mail
 * server's 5xx); 502/503 try again (no connection, a timeout, the server's 4xx, a TLS or sign-in
 * failure, which a settings fix cures); a chat webhook's own status and Retry-After as they came.
 * No answer and no log line carries the SMTP password or the webhook's URL (its path is a secret).
 */
import { readFileSync, chmodSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import type { Logger } from '../functions/host-contract/logger';
import type { MailMessage } from '../functions/host-contract/notify-messages';

export interface RelaySettings {
  NOTIFY_SMTP_URL?: string | undefined;
  NOTIFY_SMTP_CA_FILE?: string | undefined;
  NOTIFY_WEBHOOK_URL?: string | undefined;
}

export interface NotifyRelay {
  socketPath: string;
  close(): Promise<void>;
}

const MAX_BODY = 256 * 1024;
const CHAT_TIMEOUT_MS = 15_000;

/** The SMTP transport's options from the URL (smtp://user:pass@host:587 or smtps://…:465). */
export function smtpOptions(url: string, caFile: string | undefined) {
  const parsed = new URL(url);
  const implicitTls = parsed.protocol === 'smtps:';
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : implicitTls ? 465 : 587,
    secure: implicitTls,
    // On smtp:// the connection must be upgraded with STARTTLS before anything is sent: never plaintext.
    requireTLS: !implicitTls,
    ...(parsed.username ? { auth: { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) } } : {}),
    tls: { minVersion: 'TLSv1.2' as const, ...(caFile ? { ca: readFileSync(caFile, 'utf8') } : {}) },
    name: hostname(),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  };
}

function isMail(value: unknown): value is MailMessage {
  const v = value as Partial<MailMessage> | null;
  return (
    typeof v === 'object' && v !== null && typeof v.from === 'string' && Array.isArray(v.to) && v.to.length > 0 && v.to.every((t) => typeof t === 'string') &&
    typeof v.subject === 'string' && typeof v.text === 'string' && typeof v.messageId === 'string'
  );
}

function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const failure = (code: string, message: string) => ({ error: { code, message } });

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('too large');
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** What an SMTP failure means for the outbox: the status the relay answers, its code and a message without secrets. */
export function smtpFailure(err: { code?: string; responseCode?: number; response?: string; message?: string }): { status: number; code: string; message: string } {
  const reply = err.response ? `: ${err.response.slice(0, 300)}` : '';
  if (err.code === 'EAUTH') return { status: 502, code: 'smtp_auth_failed', message: `the mail server refused the sign-in (check the user and password in NOTIFY_SMTP_URL)${reply}` };
  if (err.code === 'ETLS' || /STARTTLS/i.test(err.message ?? '')) return { status: 502, code: 'smtp_tls', message: `no TLS with the mail server (STARTTLS is required on smtp://; NOTIFY_SMTP_CA_FILE for a private CA): ${err.message ?? err.code}` };
  if (typeof err.responseCode === 'number' && err.responseCode >= 500) return { status: 422, code: 'smtp_refused', message: `the mail server refused the message${reply}` };
  if (typeof err.responseCode === 'number' && err.responseCode >= 400) return { status: 503, code: 'smtp_deferred', message: `the mail server deferred the message${reply}` };
  return { status: 502, code: 'smtp_unreachable', message: `the mail server could not be reached: ${err.code ?? ''} ${err.message ?? ''}`.trim() };
}

/** Starts the relay on `socketPath`; throws when NOTIFY_SMTP_CA_FILE cannot be read. */
export async function startNotifyRelay(settings: RelaySettings, socketPath: string, log: Logger): Promise<NotifyRelay> {
  // Loaded only when mail is on: a receiver without it does not carry nodemailer in memory.
  const transport = settings.NOTIFY_SMTP_URL
    ? (await import('nodemailer')).default.createTransport(smtpOptions(settings.NOTIFY_SMTP_URL, settings.NOTIFY_SMTP_CA_FILE))
    : undefined;
  const chatUrl = settings.NOTIFY_WEBHOOK_URL;

  async function mail(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!transport) return answer(res, 404, failure('mail_off', 'NOTIFY_SMTP_URL is not set'));
    const body = await readBody(req).catch(() => undefined);
    if (!isMail(body)) return answer(res, 400, failure('bad_request', 'a mail needs from, to, subject, text and messageId'));
    try {
      const info = await transport.sendMail({
        from: body.from,
        to: body.to,
        subject: body.subject,
        text: body.text,
        messageId: body.messageId,
        ...(body.inReplyTo ? { inReplyTo: body.inReplyTo } : {}),
        ...(body.references ? { references: body.references } : {}),
        // Machine-sent: out-of-office replies stay away (RFC 3834).
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
      answer(res, 200, { accepted: info.accepted, response: info.response });
    } catch (err) {
      const failed = smtpFailure(err as { code?: string; responseCode?: number; response?: string; message?: string });
      log.warn('mail not submitted', { code: failed.code, message_id: body.messageId, reason: failed.message });
      answer(res, failed.status, failure(failed.code, failed.message));
    }
  }

  async function chat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!chatUrl) return answer(res, 404, failure('chat_off', 'NOTIFY_WEBHOOK_URL is not set'));
    const body = (await readBody(req).catch(() => undefined)) as { text?: unknown } | undefined;
    if (typeof body?.text !== 'string') return answer(res, 400, failure('bad_request', 'a chat message needs text'));
    const host = new URL(chatUrl).host;
    try {
      const response = await fetch(chatUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: body.text }),
        signal: AbortSignal.timeout(CHAT_TIMEOUT_MS),
      });
      const text = (await response.text()).slice(0, 500);
      const retryAfter = response.headers.get('retry-after');
      if (!response.ok) log.warn('chat message refused', { host, status: response.status });
      answer(res, response.ok ? 200 : response.status, response.ok ? { response: text || `HTTP ${response.status}` } : failure('chat_refused', `the chat webhook at ${host} answered HTTP ${response.status}: ${text}`), retryAfter ? { 'retry-after': retryAfter } : {});
    } catch (err) {
      const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${CHAT_TIMEOUT_MS / 1000} s` : ((err as Error & { cause?: { code?: string } }).cause?.code ?? (err as Error).message);
      log.warn('chat message not sent', { host, reason });
      answer(res, 502, failure('chat_unreachable', `the chat webhook at ${host} could not be reached: ${reason}`));
    }
  }

  const server: Server = createServer((req, res) => {
    const route = req.method === 'POST' && req.url === '/mail' ? mail : req.method === 'POST' && req.url === '/chat' ? chat : undefined;
    if (!route) return answer(res, 404, failure('not_found', 'POST /mail or /chat'));
    route(req, res).catch((err: Error) => {
      log.error('notification relay failed', { error: err.message });
      if (!res.headersSent) answer(res, 500, failure('relay_failed', 'the relay failed; see the journal'));
    });
  });
  rmSync(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  chmodSync(socketPath, 0o600);
  log.info('notification relay ready', { mail: transport !== undefined, chat: chatUrl !== undefined });
  return {
    socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        transport?.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
