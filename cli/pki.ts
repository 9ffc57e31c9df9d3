/**
 * The link's private PKI, made on VM122 by `ops-webhook setup receiver` with no openssl on the
 * machine (a minimal Debian has none): one CA, the receiver's server certificate with its address
 * in the IP SANs, and the emitter's client certificate for mutual TLS. ECDSA P-256 throughout,
 * written as PEM (keys as PKCS#8), built with @peculiar/x509 over Node's WebCrypto.
 */
import 'reflect-metadata';
import { webcrypto, X509Certificate, createHash, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
/** A CA lives ten years; leaf certificates 397 days, the longest browsers accept. */
export const CA_DAYS = 3650;
export const LEAF_DAYS = 397;

/** A certificate and its private key, as PEM text. */
export interface Issued {
  certPem: string;
  keyPem: string;
}

function serialNumber(): string {
  // Positive, 16 random bytes: unique without a serial file to keep.
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key as unknown as webcrypto.CryptoKey);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0];
  if (!der) throw new Error('no private key in the PEM text');
  return (await webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, true, ['sign'])) as unknown as CryptoKey;
}

/** A new self-signed CA named `name`. */
export async function makeCa(name: string, now = new Date()): Promise<Issued> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${name}`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + CA_DAYS * DAY_MS),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey) };
}

/** What a leaf certificate is for: a server at these addresses, or a client. */
export type LeafUse = { server: string[] } | { client: true };

/** A certificate for `commonName`, signed by `ca`. */
export async function issue(ca: Issued, commonName: string, use: LeafUse, now = new Date()): Promise<Issued> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importKey(ca.keyPem);
  const keys = await newKeys();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(['server' in use ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
    await x509.AuthorityKeyIdentifierExtension.create(caCert),
  ];
  if ('server' in use) {
    extensions.push(new x509.SubjectAlternativeNameExtension(use.server.map((name) => ({ type: isIP(name) ? ('ip' as const) : ('dns' as const), value: name }))));
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=${commonName}`,
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(Math.min(now.getTime() + LEAF_DAYS * DAY_MS, caCert.notAfter.getTime())),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: ALGORITHM,
    extensions,
  });
  return { certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey) };
}

/** Every certificate in a PEM text (a bundle may hold two CAs during a rotation). */
export function certificatesIn(pem: string): X509Certificate[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((block) => new X509Certificate(block));
}

/** The SHA-256 fingerprint of a certificate, as colon-separated hex: what an administrator compares between the VMs. */
export function fingerprint(certPem: string): string {
  const der = new X509Certificate(certPem).raw;
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
}

/** Whether `leafPem` was signed by one of the CAs in `caBundlePem` and is in its validity now. */
export function verifyChain(leafPem: string, caBundlePem: string, now = new Date()): { ok: true; daysLeft: number } | { ok: false; why: string } {
  const leaf = new X509Certificate(leafPem);
  const signer = certificatesIn(caBundlePem).find((ca) => leaf.checkIssued(ca) && leaf.verify(ca.publicKey));
  if (!signer) return { ok: false, why: 'it is not signed by the CA in ca.pem' };
  const from = new Date(leaf.validFrom).getTime();
  const to = new Date(leaf.validTo).getTime();
  if (now.getTime() < from) return { ok: false, why: `it is not valid before ${leaf.validFrom}` };
  if (now.getTime() > to) return { ok: false, why: `it expired on ${leaf.validTo}` };
  return { ok: true, daysLeft: Math.floor((to - now.getTime()) / DAY_MS) };
}

/** Whether a server certificate names `address` among its subject alternative names. */
export function namesAddress(certPem: string, address: string): boolean {
  const cert = new X509Certificate(certPem);
  return isIP(address) ? cert.checkIP(address) !== undefined : cert.checkHost(address) !== undefined;
}
