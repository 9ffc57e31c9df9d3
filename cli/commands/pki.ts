/**
 * `ops-webhook pki renew | rotate-ca | retire-old-ca` on VM122. renew issues the receiver's and
 * the emitter's certificates again from the same CA; rotate-ca makes a new CA trusted beside the
 * old one and issues the client certificate from it; retire-old-ca, once VM112 runs on that
 * pairing file, issues the receiver's certificate from the new CA and drops the old one. Each writes a new pairing file and restarts the receiver (its socket keeps connections).
 */
import { readEnvFile } from '../env-file';
import { envFile, FILES, SERVICE_USER, serviceUnit } from '../layout';
import { ensureClientCert, ensureServerCert, readCa, retireOldCas, writeNewCa } from '../link-pki';
import { fingerprint } from '../pki';
import { done, note, StepFailure } from '../report';
import { groupId, requireRoot, systemctlOrFail } from '../system';
import { writePairingFile } from './setup-receiver';

export async function pki(verb: string | undefined): Promise<void> {
  requireRoot('pki');
  const env = readEnvFile(envFile('receiver'));
  if (!env.WEBHOOK_SECRET || !env.HOST || !env.PORT) throw new StepFailure('pki', 'the receiver is not set up on this machine', 'ops-webhook setup receiver --listen ADDR:PORT (on VM122)');
  let ca = readCa();
  if (!ca) throw new StepFailure('pki', `no CA in ${FILES.caCert}`, 'ops-webhook setup receiver --listen ADDR:PORT --force');
  const gid = groupId(SERVICE_USER);
  if (verb === 'rotate-ca') {
    ca = await writeNewCa(true);
    done('new CA made; ca.pem trusts it and the old one', `SHA-256 ${fingerprint(ca.signer.certPem)}`);
  } else if (verb === 'retire-old-ca') {
    ca = retireOldCas(ca);
    done('ca.pem now trusts only the current CA');
  } else if (verb !== 'renew') {
    throw new StepFailure('pki', `unknown verb ${JSON.stringify(verb ?? '')}`, 'ops-webhook pki renew | rotate-ca | retire-old-ca');
  }
  const host = env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST;
  const addresses = [env.HOST];
  // During a rotation VM112 trusts only the old CA until it is paired again, so the receiver keeps
  // its old-CA certificate until retire-old-ca; the client certificate moves to the new CA at once
  // (the receiver trusts both meanwhile).
  if (verb !== 'rotate-ca') done(`receiver certificate ${await ensureServerCert(ca, addresses, gid, true)}`);
  const client = await ensureClientCert(ca, verb !== 'retire-old-ca');
  done(`emitter client certificate ${client.action}`);
  systemctlOrFail(serviceUnit('receiver'), ['restart', serviceUnit('receiver')], `journalctl -u ${serviceUnit('receiver')} -n 50`);
  done(`${serviceUnit('receiver')} restarted`);
  writePairingFile({ receiver_url: `https://${host}:${env.PORT}/api/v1/webhooks/onboard`, ca: ca.bundlePem, client: client.pair, secret: env.WEBHOOK_SECRET });
  note(`On VM112: copy ${FILES.pairing} and run ops-webhook setup emitter --pair FILE${verb === 'rotate-ca' ? '; then here: ops-webhook pki retire-old-ca' : ''}.`);
}
