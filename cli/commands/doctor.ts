/**
 * `ops-webhook doctor`: one line per check of each function set up here, and exit 1 when any
 * fails. A failing line names its cause and its fix. The checks: the configuration, files and
 * their modes, units, sockets, the certificate chain and its expiry, the link (from VM112: mutual
 * TLS and a signed probe that writes nothing), the clock skew, the receiver's notifications (the
 * mail server's TLS and sign-in, the chat host; nothing sent), free disk, the last backup.
 */
import { existsSync, readFileSync, statfsSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { ConfigError } from '../../functions/platform/settings/config';
import { listBackups } from '../../host/backup';
import { HOST_SETTINGS } from '../../host/host-settings';
import { functionSpec } from '../../host/served-functions';
import { checkSettings } from '../../host/settings-check';
import { configuredRoles, localEndpoint, type Configured } from '../configured';
import { fetchText } from '../https-client';
import { envFile, ETC, FILES, OPERATOR_SOCKET_UNIT, SERVICE_USER, serviceUnit, socketUnit, STATE } from '../layout';
import { RENEW_BEFORE_DAYS } from '../link-pki';
import { verifyChain } from '../pki';
import { notificationChecks } from '../notifications-check';
import { probeWithClock } from '../receiver-probe';
import { printResult, type CheckResult } from '../report';
import { groupId, isActive } from '../system';

type Check = () => CheckResult | CheckResult[] | Promise<CheckResult | CheckResult[]>;

const ok = (label: string, detail?: string): CheckResult => ({ status: 'ok', label, detail });
const fail = (label: string, cause: string, fix: string): CheckResult => ({ status: 'fail', label, cause, fix });

function userId(name: string): number | undefined {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [user, , uid] = line.split(':');
    if (user === name) return Number(uid);
  }
  return undefined;
}

/** A file's mode and owner, against what it should be. */
function fileCheck(path: string, mode: number, uid: number, gid: number | undefined, fix: string): CheckResult {
  if (!existsSync(path)) return fail(`${path}`, 'it is missing', fix);
  const stat = statSync(path);
  const actual = stat.mode & 0o777;
  const wrongOwner = stat.uid !== uid || (gid !== undefined && stat.gid !== gid);
  if (actual !== mode || wrongOwner) {
    return fail(`${path} mode ${actual.toString(8).padStart(4, '0')}`, `it should be ${mode.toString(8).padStart(4, '0')} owned by ${uid === 0 ? 'root' : SERVICE_USER}`, fix);
  }
  return ok(`${path} ${mode.toString(8).padStart(4, '0')}`);
}

function configCheck(configured: Configured): CheckResult {
  const label = `${envFile(configured.role)} is valid`;
  try {
    checkSettings(functionSpec(configured.role), configured.env);
    return ok(label);
  } catch (err) {
    if (err instanceof ConfigError) return fail(label, err.problems.join('; '), `edit ${envFile(configured.role)}, or run ops-webhook setup ${configured.role} again`);
    throw err;
  }
}

function filesCheck(configured: Configured): CheckResult[] {
  const serviceUid = userId(SERVICE_USER);
  if (serviceUid === undefined) return [fail(`user ${SERVICE_USER}`, 'it does not exist', 'apt-get install --reinstall ops-webhook')];
  const gid = groupId(SERVICE_USER);
  const fixSetup = `ops-webhook setup ${configured.role} again (it sets modes), or chmod/chown by hand`;
  const keys = configured.role === 'receiver' ? [FILES.receiverKey] : [FILES.clientKey];
  return [
    fileCheck(ETC, 0o750, 0, gid, `chown root:${SERVICE_USER} ${ETC}; chmod 750 ${ETC}`),
    fileCheck(envFile(configured.role), 0o600, 0, undefined, `chown root ${envFile(configured.role)}; chmod 600 ${envFile(configured.role)}`),
    ...keys.map((key) => fileCheck(key, 0o640, 0, gid, fixSetup)),
    ...(configured.role === 'receiver' ? [fileCheck(FILES.caKey, 0o600, 0, undefined, `chmod 600 ${FILES.caKey}`)] : []),
    fileCheck(STATE, 0o700, serviceUid, undefined, `chown ${SERVICE_USER}: ${STATE}; chmod 700 ${STATE}`),
  ];
}

function unitsCheck(configured: Configured): CheckResult[] {
  const units = [socketUnit(configured.role), ...(configured.role === 'receiver' && configured.env.OPERATOR_PORT ? [OPERATOR_SOCKET_UNIT] : []), serviceUnit(configured.role)];
  return units.map((unit) => (isActive(unit) ? ok(`${unit} active`) : fail(`${unit} active`, 'it is not running', `systemctl start ${unit}; journalctl -u ${unit} -n 50 says why it stopped`)));
}

function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

async function socketsCheck(configured: Configured): Promise<CheckResult[]> {
  const host = configured.env.HOST ?? '127.0.0.1';
  const ports = [configured.env.PORT, configured.role === 'receiver' ? configured.env.OPERATOR_PORT : undefined].filter((p): p is string => !!p);
  return Promise.all(
    ports.map(async (port) =>
      (await listening(host, Number(port))) ? ok(`listening on ${host}:${port}`) : fail(`listening on ${host}:${port}`, 'nothing accepts connections there', `systemctl restart ${socketUnit(configured.role)}; check the address with ip -br addr`),
    ),
  );
}

function certificateCheck(configured: Configured): CheckResult[] {
  const leaf = configured.role === 'receiver' ? FILES.receiverCert : FILES.clientCert;
  const caPath = configured.role === 'receiver' ? configured.env.TLS_CLIENT_CA_FILE : configured.env.OPS_WEBHOOK_CA_FILE;
  if (!caPath) return [{ status: 'warn', label: 'TLS is off', detail: 'the link runs in plain HTTP: set it up with ops-webhook setup' }];
  const label = `certificate ${leaf}`;
  if (!existsSync(leaf) || !existsSync(caPath)) return [fail(label, `${existsSync(leaf) ? caPath : leaf} is missing`, configured.role === 'receiver' ? 'ops-webhook pki renew' : 'ops-webhook setup emitter --pair FILE, with a fresh pairing file')];
  const chain = verifyChain(readFileSync(leaf, 'utf8'), readFileSync(caPath, 'utf8'));
  const fix = configured.role === 'receiver' ? 'ops-webhook pki renew (then pair VM112 again)' : 'on VM122: ops-webhook pki renew; then here: ops-webhook setup emitter --pair FILE';
  if (!chain.ok) return [fail(label, chain.why, fix)];
  if (chain.daysLeft < RENEW_BEFORE_DAYS) return [{ status: 'warn', label: `${label} chains to ca.pem`, detail: `expires in ${chain.daysLeft} days: ${fix}` }];
  return [ok(`${label} chains to ca.pem`, `${chain.daysLeft} days left`)];
}

async function answersCheck(configured: Configured): Promise<CheckResult[]> {
  const { base, tls } = localEndpoint(configured);
  const label = `${configured.role} /healthz answers 200 at ${base}`;
  try {
    const answer = await fetchText(`${base}/healthz`, { tls });
    if (answer.status === 200) return [ok(label)];
    return [fail(label, `it answered ${answer.status}: ${answer.body.slice(0, 300)}`, `journalctl -u ${serviceUnit(configured.role)} -n 50`)];
  } catch (err) {
    return [fail(label, (err as Error).message, `systemctl status ${serviceUnit(configured.role)}; journalctl -u ${serviceUnit(configured.role)} -n 50`)];
  }
}

async function linkCheck(configured: Configured): Promise<CheckResult[]> {
  const { env } = configured;
  if (!env.OPS_WEBHOOK_URL || !env.OPS_WEBHOOK_SECRET) return [fail('the link to the receiver', 'OPS_WEBHOOK_URL or OPS_WEBHOOK_SECRET is not set', 'ops-webhook setup emitter --pair FILE')];
  const read = (path: string | undefined) => (path && existsSync(path) ? readFileSync(path, 'utf8') : undefined);
  const result = await probeWithClock(env.OPS_WEBHOOK_URL, env.OPS_WEBHOOK_SECRET, { ca: read(env.OPS_WEBHOOK_CA_FILE) ?? '', cert: read(env.OPS_WEBHOOK_CLIENT_CERT_FILE), key: read(env.OPS_WEBHOOK_CLIENT_KEY_FILE) });
  return [result.link, ...(result.clock ? [result.clock] : [])];
}

function diskCheck(configured: Configured): CheckResult {
  const minMb = Number(configured.env.MIN_FREE_DISK_MB ?? HOST_SETTINGS.shape.MIN_FREE_DISK_MB.parse(undefined));
  const stat = statfsSync(STATE);
  const freeMb = Math.floor((stat.bavail * stat.bsize) / 1048576);
  const label = `free disk under ${STATE}: ${freeMb} MiB`;
  if (freeMb < minMb) return fail(label, `below MIN_FREE_DISK_MB (${minMb}): /healthz answers 503 and writes may fail`, `free space on that file system (old backups: ls -la ${FILES.backups})`);
  if (freeMb < minMb * 4) return { status: 'warn', label, detail: `close to MIN_FREE_DISK_MB (${minMb})` };
  return ok(label);
}

function backupCheck(configured: Configured): CheckResult {
  const dir = configured.env.BACKUP_DIR;
  if (!dir) return { status: 'warn', label: 'backups are off', detail: `set BACKUP_DIR=${FILES.backups} in ${envFile(configured.role)}` };
  const newest = listBackups(dir, configured.role)[0];
  const host = HOST_SETTINGS.pick({ BACKUP_INTERVAL: true }).parse({ BACKUP_INTERVAL: configured.env.BACKUP_INTERVAL });
  if (!newest) return { status: 'warn', label: `no backup in ${dir} yet`, detail: 'the service takes the first one after its start; ops-webhook backup takes one now' };
  const ageH = (Date.now() - newest.at) / 3_600_000;
  const label = `last backup ${ageH < 1 ? `${Math.round(ageH * 60)} min` : `${ageH.toFixed(1)} h`} old`;
  if (Date.now() - newest.at > 2 * host.BACKUP_INTERVAL) return fail(label, `older than twice BACKUP_INTERVAL: backups are failing`, `journalctl -u ${serviceUnit(configured.role)} | grep backup; ops-webhook backup`);
  return ok(label, newest.path);
}

function checksOf(configured: Configured): Check[] {
  return [
    () => configCheck(configured),
    () => filesCheck(configured),
    () => unitsCheck(configured),
    () => socketsCheck(configured),
    () => certificateCheck(configured),
    () => answersCheck(configured),
    ...(configured.role === 'emitter' ? [() => linkCheck(configured)] : []),
    ...(configured.role === 'receiver' ? [() => notificationChecks(configured.env, envFile(configured.role))] : []),
    () => diskCheck(configured),
    () => backupCheck(configured),
  ];
}

/** Runs every check, printing as it goes; answers the exit code. */
export async function doctor(): Promise<number> {
  const roles = configuredRoles();
  if (roles.length === 0) {
    printResult(fail('ops-webhook is set up here', 'no /etc/ops-webhook/receiver.env or emitter.env', 'on VM122: ops-webhook setup receiver --listen ADDR:PORT; on VM112: ops-webhook setup emitter --pair FILE'));
    return 1;
  }
  let failed = 0;
  for (const configured of roles) {
    process.stdout.write(`${configured.role}:\n`);
    for (const check of checksOf(configured)) {
      let results: CheckResult[];
      try {
        const outcome = await check();
        results = Array.isArray(outcome) ? outcome : [outcome];
      } catch (err) {
        results = [fail('a check', (err as Error).message, 'report this as a bug in ops-webhook doctor')];
      }
      for (const result of results) {
        printResult(result);
        if (result.status === 'fail') failed += 1;
      }
    }
  }
  process.stdout.write(failed === 0 ? 'doctor: all checks passed\n' : `doctor: ${failed} check(s) failed\n`);
  return failed === 0 ? 0 : 1;
}
