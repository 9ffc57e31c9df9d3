/**
 * The link proved from VM112: a signed POST of an empty receipts question to the receiver over
 * mutual TLS (it reads, and writes no ticket), and the clock skew between the VMs from the
 * receiver's `Date`. A skew past the signature window is named as such, not as a wrong secret.
 */
import { randomUUID } from 'node:crypto';
import { signatureHeaders, SIGNATURE_TOLERANCE_S } from '../functions/contract/signing';
import { fetchText, type Answer, type ClientTls } from './https-client';
import type { CheckResult } from './report';

/** Past this skew doctor warns (the signature window is SIGNATURE_TOLERANCE_S). */
export const SKEW_WARN_S = 30;

export interface ProbeResult {
  link: CheckResult;
  clock?: CheckResult;
}

/** The clock check from a receiver's answer. */
export function clockCheck(answer: Answer, sentAt: number, receivedAt: number): CheckResult | undefined {
  const date = typeof answer.headers.date === 'string' ? Date.parse(answer.headers.date) : NaN;
  if (Number.isNaN(date)) return undefined;
  // Date has whole seconds: compare with the middle of the exchange, and allow the rounding.
  const skewS = Math.round((date - (sentAt + receivedAt) / 2) / 1000);
  const label = `clock skew with the receiver ${skewS >= 0 ? '+' : ''}${skewS} s`;
  if (Math.abs(skewS) > SIGNATURE_TOLERANCE_S) return { status: 'fail', label, cause: `past the signature window of ${SIGNATURE_TOLERANCE_S} s: every delivery is refused as stale`, fix: 'run a time service on both VMs (apt-get install systemd-timesyncd; timedatectl set-ntp true)' };
  if (Math.abs(skewS) > SKEW_WARN_S) return { status: 'warn', label, detail: 'set up time synchronisation on both VMs before it grows' };
  return { status: 'ok', label };
}

export async function probeReceiver(receiverUrl: string, secret: string, tls: ClientTls): Promise<CheckResult> {
  const result = await probeWithClock(receiverUrl, secret, tls);
  return result.link;
}

export async function probeWithClock(receiverUrl: string, secret: string, tls: ClientTls): Promise<ProbeResult> {
  const url = new URL('receipts', receiverUrl).toString();
  const body = JSON.stringify({ events: [] });
  const sentAt = Date.now();
  let answer: Answer;
  try {
    answer = await fetchText(url, { method: 'POST', body, tls, headers: { 'content-type': 'application/json', ...signatureHeaders(secret, `probe_${randomUUID()}`, body) } });
  } catch (err) {
    const message = (err as Error).message;
    const fix = /certificate|self.signed|verify|alert|handshake/i.test(message)
      ? 'the certificates do not match: on VM122 run ops-webhook pki renew, copy the new pairing file, and run setup emitter --pair again'
      : `check that the receiver runs (on VM122: ops-webhook status) and that the firewall lets VM112 reach ${new URL(receiverUrl).host}`;
    return { link: { status: 'fail', label: `receiver reachable over mutual TLS at ${new URL(receiverUrl).host}`, cause: message, fix } };
  }
  const clock = clockCheck(answer, sentAt, Date.now());
  const label = 'receiver accepts a signed probe over mutual TLS';
  if (answer.status === 200) return { link: { status: 'ok', label, detail: 'nothing written to the desk' }, clock };
  if (answer.status === 401 && /"code":"stale_timestamp"/.test(answer.body)) {
    return { link: { status: 'fail', label, cause: 'clock skew: the receiver refused the signature\'s timestamp', fix: 'synchronise both clocks (timedatectl set-ntp true on each VM)' }, clock };
  }
  if (answer.status === 401) return { link: { status: 'fail', label, cause: 'the receiver refused the signature: the two VMs hold different signing secrets', fix: 'copy a fresh pairing file from VM122 and run ops-webhook setup emitter --pair FILE --force' }, clock };
  return { link: { status: 'fail', label, cause: `the receiver answered ${answer.status}: ${answer.body.slice(0, 200)}`, fix: 'on VM122: ops-webhook doctor, and journalctl -u ops-webhook-receiver -n 50' }, clock };
}
