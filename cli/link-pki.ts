/**
 * The link's certificates as files on VM122 (/etc/ops-webhook/tls): the CA, kept unless a named
 * verb replaces it; the receiver's server certificate, issued again when it no longer fits (a new
 * address, near expiry, another CA); the emitter's client certificate, which travels in the
 * pairing file. Keys are 0640 root:ops-webhook when the service reads them, 0600 root otherwise.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from './env-file';
import { FILES, TLS } from './layout';
import { issue, makeCa, namesAddress, verifyChain, type Issued } from './pki';

/** A leaf is issued again once fewer than this many days are left (doctor warns at 30). */
export const RENEW_BEFORE_DAYS = 30;

function readPair(certPath: string, keyPath: string): Issued | undefined {
  if (!existsSync(certPath) || !existsSync(keyPath)) return undefined;
  return { certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') };
}

function writePair(pair: Issued, certPath: string, keyPath: string, keyMode: number, gid: number): void {
  writeFileAtomic(keyPath, pair.keyPem, keyMode, keyMode === 0o600 ? 0 : gid);
  writeFileAtomic(certPath, pair.certPem, 0o644, 0);
}

/** The CA bundle (one CA, or the new and the old one during a rotation) and the CA that signs. */
export interface LinkCa {
  signer: Issued;
  bundlePem: string;
}

export function readCa(): LinkCa | undefined {
  const signer = readPair(FILES.caSigner, FILES.caKey);
  const bundlePem = existsSync(FILES.caCert) ? readFileSync(FILES.caCert, 'utf8') : undefined;
  if (!signer || !bundlePem) return undefined;
  return { signer, bundlePem };
}

/** A new CA in place: `keepOld` keeps the current CA in the bundle (a rotation's first step). */
export async function writeNewCa(keepOld: boolean): Promise<LinkCa> {
  mkdirSync(TLS, { recursive: true, mode: 0o750 });
  const old = keepOld ? readCa() : undefined;
  const signer = await makeCa(`ops-webhook CA ${new Date().toISOString().slice(0, 10)}`);
  const bundlePem = `${signer.certPem.trim()}\n${old ? `${old.signer.certPem.trim()}\n` : ''}`;
  writeFileAtomic(FILES.caKey, signer.keyPem, 0o600, 0);
  writeFileAtomic(FILES.caSigner, signer.certPem, 0o644, 0);
  writeFileAtomic(FILES.caCert, bundlePem, 0o644, 0);
  return { signer, bundlePem };
}

/** Drops every CA but the signing one from the bundle (a rotation's last step). */
export function retireOldCas(ca: LinkCa): LinkCa {
  writeFileAtomic(FILES.caCert, ca.signer.certPem, 0o644, 0);
  return { signer: ca.signer, bundlePem: ca.signer.certPem };
}

/** Why a leaf must be issued again, or undefined when it still fits. */
function reissueReason(pair: Issued | undefined, ca: LinkCa, addresses: string[]): string | undefined {
  if (!pair) return 'none yet';
  const chain = verifyChain(pair.certPem, ca.signer.certPem);
  if (!chain.ok) return chain.why;
  if (chain.daysLeft < RENEW_BEFORE_DAYS) return `${chain.daysLeft} days left`;
  const missing = addresses.find((address) => !namesAddress(pair.certPem, address));
  return missing ? `it does not name ${missing}` : undefined;
}

/** The receiver's server certificate for `addresses`; answers what was done. */
export async function ensureServerCert(ca: LinkCa, addresses: string[], gid: number, force: boolean): Promise<string> {
  const why = force ? 'renewal asked for' : reissueReason(readPair(FILES.receiverCert, FILES.receiverKey), ca, addresses);
  if (!why) return 'kept';
  writePair(await issue(ca.signer, addresses[0]!, { server: addresses }), FILES.receiverCert, FILES.receiverKey, 0o640, gid);
  return `issued (${why})`;
}

/** The emitter's client certificate (kept on VM122 only to be put in pairing files); answers the pair and what was done. */
export async function ensureClientCert(ca: LinkCa, force: boolean): Promise<{ pair: Issued; action: string }> {
  const current = readPair(FILES.clientCert, FILES.clientKey);
  const why = force ? 'renewal asked for' : reissueReason(current, ca, []);
  if (!why && current) return { pair: current, action: 'kept' };
  const pair = await issue(ca.signer, 'ops-webhook emitter', { client: true });
  writePair(pair, FILES.clientCert, FILES.clientKey, 0o600, 0);
  return { pair, action: `issued (${why})` };
}
