/**
 * The doctor's checks of a receiver's notifications: whether they are on, and whether the mail
 * server takes a connection as the relay will make it (TLS, STARTTLS on smtp://, the sign-in) and
 * the chat webhook's host answers a TCP connection. Nothing is sent: no mail, no chat post.
 */
import { connect } from 'node:net';
import { smtpFailure, smtpOptions } from '../host/notify-relay';
import type { CheckResult } from './report';

const CONNECT_TIMEOUT_MS = 5000;

function reachable(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: CONNECT_TIMEOUT_MS });
    const done = (problem: string | undefined) => {
      socket.destroy();
      resolve(problem);
    };
    socket.once('connect', () => done(undefined));
    socket.once('timeout', () => done(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}

/** The checks for `env` (a receiver's settings), one line each. */
export async function notificationChecks(env: Record<string, string | undefined>, envFile: string): Promise<CheckResult[]> {
  const smtpUrl = env.NOTIFY_SMTP_URL;
  const chatUrl = env.NOTIFY_WEBHOOK_URL;
  if (!smtpUrl && !chatUrl) {
    return [{ status: 'warn', label: 'notifications are off', detail: `nobody is told of a ticket but on the desk: set NOTIFY_SMTP_URL and/or NOTIFY_WEBHOOK_URL in ${envFile} (docs/deploy.md, Notifications)` }];
  }
  const results: CheckResult[] = [];
  if (smtpUrl) {
    const options = smtpOptions(smtpUrl, env.NOTIFY_SMTP_CA_FILE);
    const label = `mail server ${options.host}:${options.port} takes ${options.secure ? 'TLS' : 'STARTTLS'} and the sign-in`;
    const transport = (await import('nodemailer')).default.createTransport(options);
    try {
      await transport.verify();
      results.push({ status: 'ok', label });
    } catch (err) {
      const failed = smtpFailure(err as { code?: string; responseCode?: number; response?: string; message?: string });
      results.push({ status: 'fail', label, cause: failed.message, fix: `check NOTIFY_SMTP_URL (and NOTIFY_SMTP_CA_FILE) in ${envFile}, and that the firewall lets VM122 reach ${options.host}:${options.port}` });
    } finally {
      transport.close();
    }
  }
  if (chatUrl) {
    const url = new URL(chatUrl);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const label = `chat webhook host ${url.hostname}:${port} answers (nothing posted)`;
    const problem = await reachable(url.hostname, port);
    results.push(problem === undefined ? { status: 'ok', label } : { status: 'fail', label, cause: problem, fix: `check NOTIFY_WEBHOOK_URL in ${envFile}, and that the firewall lets VM122 reach ${url.hostname}:${port}` });
  }
  return results;
}
