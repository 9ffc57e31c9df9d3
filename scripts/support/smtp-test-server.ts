/**
 * Real peers for notifications, on loopback, for the tests and the bench: an SMTP submission
 * server (nodemailer's `smtp-server`) that offers STARTTLS and requires AUTH after it, keeping
 * each accepted message parsed (`mailparser`), and a stand-in chat webhook that keeps each JSON
 * body. Each can be told to refuse.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  at: number;
  /** The envelope's sender and recipients. */
  from: string;
  to: string[];
  mail: ParsedMail;
  /** Whether the session was upgraded with STARTTLS before the message. */
  secure: boolean;
  user: string | undefined;
}

export interface TestSmtpServer {
  port: number;
  received: ReceivedMail[];
  /** The SMTP reply code to refuse the next messages with (e.g. 451, 550), or undefined to accept. */
  refuseWith: number | undefined;
  close(): Promise<void>;
}

/** Starts the SMTP server on `port` (0: any) with `certFile`/`keyFile` for STARTTLS (or implicit TLS), and AUTH `user`/`password`. */
export async function startSmtpServer(options: { port?: number; certFile: string; keyFile: string; user: string; password: string; offerStartTls?: boolean; implicitTls?: boolean }): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const state: TestSmtpServer = { port: 0, received, refuseWith: undefined, close: async () => undefined };
  const server = new SMTPServer({
    // Implicit TLS (port 465, smtps://) or STARTTLS on a plain connection (587, smtp://).
    secure: options.implicitTls === true,
    key: readFileSync(options.keyFile),
    cert: readFileSync(options.certFile),
    // A server without STARTTLS at all (refusing the command, not just leaving it unadvertised), which takes AUTH in plaintext.
    disabledCommands: options.offerStartTls === false ? ['STARTTLS'] : [],
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: false,
    // Otherwise AUTH only over TLS, as a real submission server.
    allowInsecureAuth: options.offerStartTls === false,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === options.user && auth.password === options.password) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (state.refuseWith !== undefined) {
          callback(Object.assign(new Error(`refused for the test (${state.refuseWith})`), { responseCode: state.refuseWith }));
          return;
        }
        simpleParser(Buffer.concat(chunks))
          .then((mail) => {
            received.push({
              at: Date.now(),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              mail,
              secure: session.secure,
              user: typeof session.user === 'string' ? session.user : undefined,
            });
            callback();
          })
          .catch((err: Error) => callback(err));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  state.port = (server.server.address() as AddressInfo).port;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

export interface TestChatWebhook {
  url: string;
  received: { at: number; body: { text?: string } }[];
  /** The HTTP status to answer the next posts with, or undefined for 200. */
  refuseWith: number | undefined;
  close(): Promise<void>;
}

/** A stand-in Slack/Mattermost incoming webhook on loopback (its path is the secret, as theirs). */
export async function startChatWebhook(): Promise<TestChatWebhook> {
  const received: TestChatWebhook['received'] = [];
  const state: TestChatWebhook = { url: '', received, refuseWith: undefined, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      if (state.refuseWith !== undefined) {
        res.writeHead(state.refuseWith).end('refused');
        return;
      }
      received.push({ at: Date.now(), body: JSON.parse(text) as { text?: string } });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T000/B000/test-secret-path`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
