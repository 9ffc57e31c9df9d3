/**
 * `ops-webhook setup receiver --listen ADDR:PORT [--operator-listen ADDR:PORT] [--operator NAME] [--force]`
 * on VM122: the signing secret, the private CA and the receiver's certificate (mutual TLS on),
 * the first operator, receiver.env, the units, and the pairing file for VM112. Run again, it keeps
 * every secret and the CA (only `--force` or `pki` replace them) and changes what the options change.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeEnvFile, readEnvFile, writeFileAtomic } from '../env-file';
import { fetchText, waitForAnswer } from '../https-client';
import { envFile, FILES, OPERATOR_SOCKET_UNIT, SERVICE_USER, serviceUnit, socketUnit } from '../layout';
import { ensureClientCert, ensureServerCert, readCa, writeNewCa, type LinkCa } from '../link-pki';
import { parseListen, type ListenAddress } from '../listen-address';
import { withOperator } from '../operators';
import type { Pairing } from '../pairing';
import { fingerprint } from '../pki';
import { done, note, StepFailure } from '../report';
import { groupId, isActive, requireRoot, setSocketAddress, systemctl, systemctlOrFail } from '../system';

export interface SetupReceiverOptions {
  listen?: string;
  operatorListen?: string;
  operator?: string;
  force: boolean;
}

/** A Standard Webhooks secret: whsec_ and 32 random bytes in base64. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

async function linkCa(force: boolean): Promise<LinkCa> {
  const current = readCa();
  if (current && !force) {
    done('private CA kept', `SHA-256 ${fingerprint(current.signer.certPem)}`);
    return current;
  }
  const made = await writeNewCa(false);
  done(current ? 'private CA replaced (--force)' : 'private CA made', `SHA-256 ${fingerprint(made.signer.certPem)}`);
  return made;
}

function receiverEnv(existing: Record<string, string>, listen: ListenAddress, operatorListen: ListenAddress | undefined, secret: string, operators: string | undefined): Record<string, string> {
  const values: Record<string, string> = {
    HOST: listen.host,
    PORT: String(listen.port),
    ...(operatorListen ? { OPERATOR_PORT: String(operatorListen.port) } : {}),
    TLS_CERT_FILE: FILES.receiverCert,
    TLS_KEY_FILE: FILES.receiverKey,
    TLS_CLIENT_CA_FILE: FILES.caCert,
    WEBHOOK_SECRET: secret,
    WEBHOOK_REQUIRE_SIGNATURE: 'true',
    DATABASE_URL: `file:${FILES.receiverDb}`,
    BACKUP_DIR: FILES.backups,
    ...(operators ? { OPERATOR_USERS: operators } : {}),
  };
  if (operatorListen && operatorListen.host !== listen.host) values.ALLOWED_HOSTS = [listen.text, operatorListen.text].join(',');
  // Settings an administrator added by hand stay.
  for (const [name, value] of Object.entries(existing)) if (!(name in values) && name !== 'OPERATOR_PORT' && name !== 'ALLOWED_HOSTS') values[name] = value;
  return values;
}

/** The units on (and restarted when their configuration changed), then the receiver's /healthz over mutual TLS. */
export async function startReceiver(listen: ListenAddress, operatorListen: ListenAddress | undefined, socketsChanged: boolean, tls: { ca: string; cert: string; key: string }): Promise<void> {
  const units = [socketUnit('receiver'), ...(operatorListen ? [OPERATOR_SOCKET_UNIT] : []), serviceUnit('receiver')];
  systemctlOrFail('systemd', ['daemon-reload'], 'journalctl -b -u init.scope');
  if (!operatorListen) systemctl(['disable', '--now', OPERATOR_SOCKET_UNIT]);
  // A socket bound to an old address must be rebound, which needs its service down for a moment (its queue keeps what arrives meanwhile on the new one).
  if (socketsChanged && isActive(units[0]!)) systemctl(['stop', serviceUnit('receiver'), ...units.slice(0, -1)]);
  systemctlOrFail('units', ['enable', ...units], `systemctl status ${units.join(' ')}`);
  systemctlOrFail('units', ['restart', ...units.slice(0, -1)], `journalctl -u ${units[0]}`);
  systemctlOrFail('units', ['restart', serviceUnit('receiver')], `journalctl -u ${serviceUnit('receiver')}`);
  done('units enabled and started', units.join(', '));
  const url = `https://${listen.text}/healthz`;
  try {
    const answer = await waitForAnswer(url, 200, { tls, timeoutMs: 30_000 });
    if (answer.status !== 200) throw new Error(`answered ${answer.status}: ${answer.body.slice(0, 200)}`);
  } catch (err) {
    throw new StepFailure(`receiver on ${listen.text}`, (err as Error).message, `journalctl -u ${serviceUnit('receiver')} -n 50, then ops-webhook doctor`);
  }
  done(`receiver answers on https://${listen.text} (mutual TLS)`);
}

export async function setupReceiver(options: SetupReceiverOptions): Promise<void> {
  requireRoot('setup receiver');
  const gid = groupId(SERVICE_USER);
  if (!options.listen) throw new StepFailure('--listen', 'it is required', 'for example: ops-webhook setup receiver --listen 10.10.10.122:8443 --operator-listen 10.10.10.122:8444');
  const listen = parseListen('--listen', options.listen);
  const operatorListen = options.operatorListen ? parseListen('--operator-listen', options.operatorListen) : undefined;
  if (operatorListen && operatorListen.port === listen.port) throw new StepFailure('--operator-listen', `it uses port ${listen.port}, the same as --listen`, 'give the operator listener a port of its own, e.g. 8444');
  const existing = readEnvFile(envFile('receiver'));

  let secret = existing.WEBHOOK_SECRET;
  if (secret && !options.force) done('signing secret kept');
  else {
    secret = newSigningSecret();
    done(existing.WEBHOOK_SECRET ? 'signing secret replaced (--force): pair VM112 again' : 'signing secret generated');
  }
  const ca = await linkCa(options.force);
  const addresses = [...new Set([listen.host, ...(operatorListen ? [operatorListen.host] : [])])];
  done(`receiver certificate ${await ensureServerCert(ca, addresses, gid, options.force)}`, `for ${addresses.join(', ')}`);
  const client = await ensureClientCert(ca, options.force);
  done(`emitter client certificate ${client.action}`);

  let operators = existing.OPERATOR_USERS;
  if (!operators) {
    const name = options.operator ?? 'admin';
    const added = await withOperator(undefined, name);
    operators = added.value;
    done(`operator ${name} made`);
    if (added.shown) note(`its password, shown this once: ${added.shown}`);
  } else done('operators kept');

  writeEnvFile(envFile('receiver'), receiverEnv(existing, listen, operatorListen, secret, operators), {
    mode: 0o600,
    header: `The ops-webhook receiver (VM122), written by ops-webhook setup receiver. Settings: /usr/share/doc/ops-webhook/configuration.md`,
  });
  done(`${envFile('receiver')} written`, 'mode 0600');

  let socketsChanged = setSocketAddress(socketUnit('receiver'), listen.text);
  if (operatorListen) socketsChanged = setSocketAddress(OPERATOR_SOCKET_UNIT, operatorListen.text) || socketsChanged;
  const tls = { ca: ca.bundlePem, cert: client.pair.certPem, key: client.pair.keyPem };
  await startReceiver(listen, operatorListen, socketsChanged, tls);
  if (operatorListen) {
    const desk = await fetchText(`https://${operatorListen.text}/desk`, { tls: { ca: ca.bundlePem } }).catch((err: Error) => ({ status: 0, body: err.message }));
    if (desk.status === 0 || desk.status >= 500) throw new StepFailure(`desk on ${operatorListen.text}`, `no answer (${desk.body.slice(0, 200)})`, `journalctl -u ${serviceUnit('receiver')} -n 50`);
    done(`desk answers on https://${operatorListen.text}/desk`, `browsers trust ${FILES.caCert} for it`);
  }

  writePairingFile({ receiver_url: `https://${listen.text}/api/v1/webhooks/onboard`, ca: ca.bundlePem, client: client.pair, secret });
  note('');
  note(`Next, on VM112: copy ${FILES.pairing} there (scp root@${listen.host}:${FILES.pairing} /root/), then run`);
  note('  ops-webhook setup emitter --pair /root/emitter.pairing');
  note(`and check that both print the same CA fingerprint, SHA-256 ${fingerprint(ca.signer.certPem)}.`);
}

/** Writes the pairing file (0600 root) and says where it is. */
export function writePairingFile(input: { receiver_url: string; ca: string; client: { certPem: string; keyPem: string }; secret: string }): void {
  const pairing: Pairing = {
    format: 'ops-webhook-pairing/1',
    receiver_url: input.receiver_url,
    ca_pem: input.ca,
    client_cert_pem: input.client.certPem,
    client_key_pem: input.client.keyPem,
    signing_secret: input.secret,
    created_at: new Date().toISOString(),
  };
  const replaced = existsSync(FILES.pairing);
  writeFileAtomic(FILES.pairing, `${JSON.stringify(pairing, null, 2)}\n`, 0o600, 0);
  done(`pairing file ${replaced ? 'rewritten' : 'written'}: ${FILES.pairing}`, `mode 0600; it holds a private key and the signing secret: delete it on both VMs once VM112 is paired`);
}
