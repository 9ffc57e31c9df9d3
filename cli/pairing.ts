/**
 * The pairing file: everything VM112's emitter needs to reach VM122's receiver, made by
 * `setup receiver` and read by `setup emitter --pair`. It holds a private key and the signing
 * secret, so it is written 0600 and should be deleted once used. JSON, versioned.
 */
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { certificatesIn, verifyChain } from './pki';
import { StepFailure } from './report';

const PEM_CERT = z.string().regex(/-----BEGIN CERTIFICATE-----/, 'must be a PEM certificate');
const PEM_KEY = z.string().regex(/-----BEGIN PRIVATE KEY-----/, 'must be a PEM private key (PKCS#8)');

export const PAIRING = z.object({
  format: z.literal('ops-webhook-pairing/1'),
  /** The receiver's intake URL, https, by address. */
  receiver_url: z.url({ protocol: /^https$/ }),
  ca_pem: PEM_CERT,
  client_cert_pem: PEM_CERT,
  client_key_pem: PEM_KEY,
  /** The Standard Webhooks signing secret (WEBHOOK_SECRET on VM122, OPS_WEBHOOK_SECRET on VM112). */
  signing_secret: z.string().min(32),
  created_at: z.string(),
});

export type Pairing = z.infer<typeof PAIRING>;

/** Reads and checks a pairing file: its mode, its shape, and that the client certificate comes from its CA. */
export function readPairing(path: string): Pairing {
  const label = `pairing file ${path}`;
  let text: string;
  try {
    if ((statSync(path).mode & 0o077) !== 0) throw new StepFailure(label, 'others may read it, and it holds a private key and the signing secret', `chmod 600 ${path}`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof StepFailure) throw err;
    throw new StepFailure(label, (err as Error).message, 'copy it from VM122 (/etc/ops-webhook/emitter.pairing, written by `ops-webhook setup receiver`): scp root@VM122:/etc/ops-webhook/emitter.pairing /root/');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new StepFailure(label, 'it is not JSON (damaged, or not a pairing file)', 'copy it again from VM122, byte for byte (scp, not copy and paste)');
  }
  const result = PAIRING.safeParse(parsed);
  if (!result.success) {
    const fields = result.error.issues.map((issue) => `${issue.path.join('.') || 'file'}: ${issue.message}`).join('; ');
    throw new StepFailure(label, `it is not a pairing file this version reads (${fields})`, 'run `ops-webhook setup receiver` again on VM122 with the same version, and copy the new file');
  }
  if (certificatesIn(result.data.ca_pem).length === 0) throw new StepFailure(label, 'its CA certificate cannot be read', 'copy it again from VM122');
  const chain = verifyChain(result.data.client_cert_pem, result.data.ca_pem);
  if (!chain.ok) throw new StepFailure(label, `its client certificate is unusable: ${chain.why}`, 'on VM122: ops-webhook pki renew, then copy the new pairing file');
  return result.data;
}
