/**
 * Where the installed package keeps things (Debian's layout) and the names of its units: the one
 * statement of them for the command, the maintainer scripts' counterpart in deploy/debian/.
 */
import { join } from 'node:path';

/** Configuration: root:ops-webhook 0750. Env files 0600 root; TLS keys 0640 root:ops-webhook; the CA key 0600 root. */
export const ETC = '/etc/ops-webhook';
/** Data: databases, backups; ops-webhook 0700. */
export const STATE = '/var/lib/ops-webhook';
export const TLS = join(ETC, 'tls');
export const SERVICE_USER = 'ops-webhook';
/** The group whose members (the portal's user) may read the emitter's API token. */
export const PORTAL_GROUP = 'ops-webhook-portal';

export type Role = 'receiver' | 'emitter';
export const ROLES: Role[] = ['receiver', 'emitter'];

export const envFile = (role: Role) => join(ETC, `${role}.env`);
export const serviceUnit = (role: Role) => `ops-webhook-${role}.service`;
export const socketUnit = (role: Role) => `ops-webhook-${role}.socket`;
export const OPERATOR_SOCKET_UNIT = 'ops-webhook-receiver-operator.socket';
/** A socket unit's drop-in that sets its address. */
export const socketDropIn = (unit: string) => join('/etc/systemd/system', `${unit}.d`, 'listen.conf');

export const FILES = {
  /** The CAs the link trusts: the signing one, and during a rotation the one it replaces. */
  caCert: join(TLS, 'ca.pem'),
  /** The CA that signs (its key is ca.key). */
  caSigner: join(TLS, 'ca-signer.pem'),
  caKey: join(TLS, 'ca.key'),
  receiverCert: join(TLS, 'receiver.pem'),
  receiverKey: join(TLS, 'receiver.key'),
  clientCert: join(TLS, 'emitter-client.pem'),
  clientKey: join(TLS, 'emitter-client.key'),
  /** Written by `setup receiver` on VM122, read by `setup emitter --pair` on VM112. */
  pairing: join(ETC, 'emitter.pairing'),
  /**
   * The emitter's API token, readable by the portal's group, in a folder of its own: the portal's
   * user may not enter /etc/ops-webhook (0750 root:ops-webhook), which holds the secrets.
   */
  portalToken: '/etc/ops-webhook-portal/token',
  receiverDb: join(STATE, 'ops.db'),
  emitterDb: join(STATE, 'emitter.db'),
  backups: join(STATE, 'backups'),
};

/** The emitter's listener when `--listen` is not given: the portal calls it on loopback. */
export const EMITTER_DEFAULT_LISTEN = '127.0.0.1:8787';
