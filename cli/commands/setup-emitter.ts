/**
 * `ops-webhook setup emitter --pair FILE [--listen ADDR:PORT] [--force]` on VM112: installs what
 * the pairing file carries (the CA, the client certificate and key, the signing secret), writes
 * emitter.env for a signature-only link over mutual TLS, makes the portal's API token, starts
 * the units, and proves the link with a signed probe that writes nothing on the desk.
 */
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { readEnvFile, writeEnvFile, writeFileAtomic } from '../env-file';
import { waitForAnswer } from '../https-client';
import { EMITTER_DEFAULT_LISTEN, envFile, FILES, PORTAL_GROUP, SERVICE_USER, serviceUnit, socketUnit } from '../layout';
import { parseListen } from '../listen-address';
import { readPairing } from '../pairing';
import { certificatesIn, fingerprint } from '../pki';
import { done, note, StepFailure } from '../report';
import { probeReceiver } from '../receiver-probe';
import { groupId, isActive, requireRoot, setSocketAddress, systemctl, systemctlOrFail } from '../system';

export interface SetupEmitterOptions {
  pair?: string;
  listen?: string;
  force: boolean;
}

/** The portal's token: kept when there is one, else made (0640 root:ops-webhook-portal). */
function portalToken(): { token: string; made: boolean } {
  if (existsSync(FILES.portalToken)) {
    const token = readFileSync(FILES.portalToken, 'utf8').trim();
    if (token.length >= 32) return { token, made: false };
  }
  const token = randomBytes(32).toString('base64url');
  const gid = groupId(PORTAL_GROUP);
  mkdirSync(dirname(FILES.portalToken), { recursive: true, mode: 0o750 });
  chownSync(dirname(FILES.portalToken), 0, gid);
  writeFileAtomic(FILES.portalToken, `${token}\n`, 0o640, gid);
  return { token, made: true };
}

export async function setupEmitter(options: SetupEmitterOptions): Promise<void> {
  requireRoot('setup emitter');
  const gid = groupId(SERVICE_USER);
  if (!options.pair) throw new StepFailure('--pair', 'it is required', `ops-webhook setup emitter --pair /root/emitter.pairing (the file setup receiver wrote on VM122 at ${FILES.pairing})`);
  const listen = parseListen('--listen', options.listen ?? EMITTER_DEFAULT_LISTEN);
  const pairing = readPairing(options.pair);
  const [signingCa] = certificatesIn(pairing.ca_pem);
  done(`pairing file read`, `receiver ${pairing.receiver_url}, CA SHA-256 ${fingerprint(signingCa!.toString())}`);

  const existing = readEnvFile(envFile('emitter'));
  if (existing.OPS_WEBHOOK_SECRET && existing.OPS_WEBHOOK_SECRET !== pairing.signing_secret && !options.force) {
    throw new StepFailure('signing secret', 'the pairing file carries a different secret than the one this emitter uses', 'if VM122 was set up anew on purpose, run again with --force (events still in the outbox are then signed with the new secret)');
  }
  writeFileAtomic(FILES.caCert, pairing.ca_pem, 0o644, 0);
  writeFileAtomic(FILES.clientKey, pairing.client_key_pem, 0o640, gid);
  writeFileAtomic(FILES.clientCert, pairing.client_cert_pem, 0o644, 0);
  done('CA and client certificate installed', `${FILES.caCert}, ${FILES.clientCert}`);
  const token = portalToken();
  done(`portal API token ${token.made ? 'made' : 'kept'}`, FILES.portalToken);

  const values: Record<string, string> = {
    HOST: listen.host,
    PORT: String(listen.port),
    OPS_WEBHOOK_URL: pairing.receiver_url,
    OPS_WEBHOOK_SECRET: pairing.signing_secret,
    OPS_WEBHOOK_SEND_SECRET_HEADER: 'false',
    OPS_WEBHOOK_CA_FILE: FILES.caCert,
    OPS_WEBHOOK_CLIENT_CERT_FILE: FILES.clientCert,
    OPS_WEBHOOK_CLIENT_KEY_FILE: FILES.clientKey,
    EMITTER_API_TOKEN: token.token,
    DATABASE_URL: `file:${FILES.emitterDb}`,
    BACKUP_DIR: FILES.backups,
  };
  for (const [name, value] of Object.entries(existing)) if (!(name in values)) values[name] = value;
  writeEnvFile(envFile('emitter'), values, { mode: 0o600, header: 'The ops-webhook emitter (VM112), written by ops-webhook setup emitter. Settings: /usr/share/doc/ops-webhook/configuration.md' });
  done(`${envFile('emitter')} written`, 'mode 0600; signature only, the secret never crosses the LAN');

  const socketChanged = setSocketAddress(socketUnit('emitter'), listen.text);
  systemctlOrFail('systemd', ['daemon-reload'], 'journalctl -b -u init.scope');
  if (socketChanged && isActive(socketUnit('emitter'))) systemctl(['stop', serviceUnit('emitter'), socketUnit('emitter')]);
  systemctlOrFail('units', ['enable', socketUnit('emitter'), serviceUnit('emitter')], `systemctl status ${socketUnit('emitter')}`);
  systemctlOrFail('units', ['restart', socketUnit('emitter')], `journalctl -u ${socketUnit('emitter')}`);
  systemctlOrFail('units', ['restart', serviceUnit('emitter')], `journalctl -u ${serviceUnit('emitter')}`);
  done('units enabled and started', `${socketUnit('emitter')}, ${serviceUnit('emitter')}`);
  try {
    const answer = await waitForAnswer(`http://${listen.text}/healthz`, 200, { timeoutMs: 30_000 });
    if (answer.status !== 200) throw new Error(`answered ${answer.status}: ${answer.body.slice(0, 200)}`);
  } catch (err) {
    throw new StepFailure(`emitter on ${listen.text}`, (err as Error).message, `journalctl -u ${serviceUnit('emitter')} -n 50, then ops-webhook doctor`);
  }
  done(`emitter answers on http://${listen.text}`);

  const probe = await probeReceiver(pairing.receiver_url, pairing.signing_secret, { ca: pairing.ca_pem, cert: pairing.client_cert_pem, key: pairing.client_key_pem });
  if (probe.status === 'fail') throw new StepFailure(probe.label, probe.cause, probe.fix);
  done(probe.label, probe.detail);
  note('');
  note(`The portal reads its API token from ${FILES.portalToken} (group ${PORTAL_GROUP}: usermod -aG ${PORTAL_GROUP} PORTAL_USER)`);
  note(`or from EMITTER_API_TOKEN in its own environment; it sends events to http://${listen.text}/v1/events.`);
  note(`Delete the pairing file now on both VMs: rm ${options.pair} (and ${FILES.pairing} on VM122).`);
}
