/**
 * The TLS files a host is given, checked before workerd starts: each one readable and PEM, a key
 * that belongs to its certificate, and the pairs complete. A problem names the variable (and the
 * file's path), never anything the file holds, and stops the start (exit 2).
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { HostSettings } from './host-settings';

type TlsSettings = Pick<HostSettings, 'TLS_CERT_FILE' | 'TLS_KEY_FILE' | 'TLS_CLIENT_CA_FILE' | 'OPS_WEBHOOK_CA_FILE' | 'OPS_WEBHOOK_CLIENT_CERT_FILE' | 'OPS_WEBHOOK_CLIENT_KEY_FILE'>;

function read(variable: string, path: string, problems: string[]): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    problems.push(`${variable} (${path}) cannot be read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    return undefined;
  }
}

function certificate(variable: string, pem: string, problems: string[]): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    problems.push(`${variable} holds no PEM certificate`);
    return undefined;
  }
}

/** A certificate and its key, both given or neither; when both, the key must be the certificate's. */
function checkPair(certVar: string, certPath: string | undefined, keyVar: string, keyPath: string | undefined, problems: string[]): void {
  if (!certPath && !keyPath) return;
  if (!certPath || !keyPath) {
    problems.push(`${certPath ? keyVar : certVar} must be set with ${certPath ? certVar : keyVar}`);
    return;
  }
  const certPem = read(certVar, certPath, problems);
  const keyPem = read(keyVar, keyPath, problems);
  if (certPem === undefined || keyPem === undefined) return;
  const cert = certificate(certVar, certPem, problems);
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    problems.push(`${keyVar} holds no PEM private key`);
    return;
  }
  if (cert && !cert.checkPrivateKey(key)) problems.push(`${keyVar} is not the key of the certificate in ${certVar}`);
}

/** The problems with the TLS settings (empty when there are none). */
export function tlsProblems(settings: TlsSettings): string[] {
  const problems: string[] = [];
  checkPair('TLS_CERT_FILE', settings.TLS_CERT_FILE, 'TLS_KEY_FILE', settings.TLS_KEY_FILE, problems);
  checkPair('OPS_WEBHOOK_CLIENT_CERT_FILE', settings.OPS_WEBHOOK_CLIENT_CERT_FILE, 'OPS_WEBHOOK_CLIENT_KEY_FILE', settings.OPS_WEBHOOK_CLIENT_KEY_FILE, problems);
  for (const variable of ['TLS_CLIENT_CA_FILE', 'OPS_WEBHOOK_CA_FILE'] as const) {
    const path = settings[variable];
    if (!path) continue;
    const pem = read(variable, path, problems);
    if (pem !== undefined) certificate(variable, pem, problems);
  }
  if (settings.TLS_CLIENT_CA_FILE && !settings.TLS_CERT_FILE) problems.push('TLS_CLIENT_CA_FILE needs TLS_CERT_FILE and TLS_KEY_FILE (client certificates are asked for over TLS)');
  return problems;
}

/** The problems of a file that must hold a PEM certificate (a CA to trust): unreadable, or no certificate in it. */
export function pemCertificateProblems(variable: string, path: string): string[] {
  const problems: string[] = [];
  const pem = read(variable, path, problems);
  if (pem !== undefined) certificate(variable, pem, problems);
  return problems;
}
