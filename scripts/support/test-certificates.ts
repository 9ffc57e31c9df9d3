/**
 * Certificates made at test time with the machine's openssl (none is committed): CAs and leaves
 * signed by them, in a temporary folder the caller removes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  /** Path of `name` (`ca.pem`, `server.key`, …) in the folder. */
  file(name: string): string;
  /** A CA: `name`.pem and `name`.key. */
  makeCa(name: string): void;
  /** A leaf `name` signed by CA `ca`, with OpenSSL extension lines (`subjectAltName=…`, `extendedKeyUsage=…`). */
  makeLeaf(ca: string, name: string, ext: string): void;
  remove(): void;
}

export function testCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'ops-webhook-certs-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  return {
    file: (name) => join(dir, name),
    makeCa(name) {
      openssl('req', '-x509', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`);
    },
    makeLeaf(ca, name, ext) {
      openssl('req', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
      writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
      openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
