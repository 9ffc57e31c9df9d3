/**
 * The deploy drill: the .deb as an administrator gets it, on two booted Debian 12 systems joined
 * only to each other (VM122 the receiver, VM112 the emitter and the portal's module), set up and
 * paired with the commands docs/deploy.md gives, then put through kill -9, reboots, upgrades of
 * either side while events flow, a ticket's notification mailed to a real SMTP server (STARTTLS,
 * AUTH), doctor green and red, and purge. Also: two builds list the same
 * files, lintian finds no error, and the package installs and runs on an unbooted Debian 13.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cachedTree, ensureTools, removeTree, SYSTEM_PACKAGES, unpackTree } from './support/debian-tree';
import { mustRun, runCommand } from './support/run-command';
import { makeNetwork, type TestNetwork } from './support/test-network';
import { TestSystem } from './support/test-system';
import { drillLog, phase, timings } from './support/phases';
import { testCertificates } from '../../scripts/support/test-certificates';

const ROOT = new URL('../..', import.meta.url).pathname;
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const UPGRADE_VERSION = `${VERSION}+drill2`;
const deb = (version: string) => `ops-webhook_${version}_amd64.deb`;
const WORK = `/var/tmp/ops-webhook-drill/${process.pid}`;
const RECEIVER = '10.254.0.122';
const EMITTER = '10.254.0.112';

/** The setup commands as docs/deploy.md gives them (one line each, found by how it starts); the drill runs exactly these. */
function guideCommands(): { receiver: string; copy: string; emitter: string } {
  const lines = readFileSync(join(ROOT, 'docs/deploy.md'), 'utf8').split('\n').map((line) => line.trim());
  const find = (start: string) => {
    const line = lines.find((l) => l.startsWith(start));
    if (!line) throw new Error(`docs/deploy.md has no command starting ${JSON.stringify(start)}`);
    return line;
  };
  return { receiver: find('ops-webhook setup receiver '), copy: find('scp root@'), emitter: find('ops-webhook setup emitter ') };
}

/** A command of the guide on the drill's network: the receiver's address there (as `--listen` names it) becomes the drill's. */
function onDrillNetwork(command: string, guide = guideCommands()): string {
  const address = /--listen (\S+):\d+/.exec(guide.receiver)![1]!;
  return command.replaceAll(address, RECEIVER);
}

/** The portal's module inside VM112: hands COUNT events over, GAP seconds apart, and prints what became of each. */
const PORTAL_SCRIPT = `
import json, sys, time
sys.path.insert(0, '/usr/share/ops-webhook/portal')
from ops_webhook import Emitter
prefix, count, gap = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
emitter = Emitter(deadline_s=60)
for i in range(count):
    emitter.emit('account.created', 'drill.example', f'{prefix}-{i}', {'admin_email': f'admin{i}@drill.example'})
    time.sleep(gap)
drained = emitter.flush(120)
emitter.close()
print(json.dumps({'drained': drained, 'outcomes': [o for _, o in emitter.outcomes]}))
`;

/** Counts of one prefix's sessions in a database, read as the service's user with the package's own Node. */
const COUNT_SCRIPT = `
const Database = require('/usr/lib/ops-webhook/node_modules/libsql');
const [file, sql, prefix] = process.argv.slice(1);
const db = new Database(file, { readonly: true, timeout: 5000 });
console.log(JSON.stringify(db.prepare(sql).all({ p: prefix + '-%' })));
`;

/**
 * A mail submission server on VM112 for the drill (Debian's python3-aiosmtpd): STARTTLS required,
 * then AUTH; each message it takes is kept as a line of JSON in /root/mail/received.jsonl.
 */
const SMTP_SCRIPT = `
import email, email.policy, json, ssl, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
host, port, password = sys.argv[1], int(sys.argv[2]), sys.argv[3]
class Keep:
    async def handle_DATA(self, server, session, envelope):
        mail = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with open('/root/mail/received.jsonl', 'a') as out:
            out.write(json.dumps({'tls': bool(session.ssl), 'authenticated': bool(session.authenticated), 'to': envelope.rcpt_tos,
                                  'subject': str(mail['subject']), 'message_id': str(mail['message-id']), 'body': mail.get_content()}) + '\\n')
        return '250 2.0.0 kept'
def check(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b'desk' and auth_data.password == password.encode()
    return AuthResult(success=ok, handled=False)
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain('/root/mail/mail.pem', '/root/mail/mail.key')
Controller(Keep(), hostname=host, port=port, tls_context=context, require_starttls=True, auth_required=True,
           auth_require_tls=True, authenticator=check).start()
while True:
    time.sleep(3600)
`;

let network: TestNetwork;
let vm122: TestSystem;
let vm112: TestSystem;
const systems: TestSystem[] = [];

async function sessionCounts(prefix: string): Promise<{ events: number; tickets: number; distinct: number; outbox: Record<string, number> }> {
  const query = async (system: TestSystem, file: string, sql: string) =>
    JSON.parse(await system.run(['runuser', '-u', 'ops-webhook', '--', '/usr/lib/ops-webhook/bin/node', '-e', COUNT_SCRIPT, file, sql, prefix])) as Record<string, number>[];
  const [events] = await query(vm122, '/var/lib/ops-webhook/ops.db', 'SELECT count(*) AS n, count(DISTINCT event_type || session_id || domain) AS d FROM webhook_events WHERE session_id LIKE :p');
  const [tickets] = await query(vm122, '/var/lib/ops-webhook/ops.db', 'SELECT count(*) AS n FROM tickets WHERE session_id LIKE :p');
  const outbox = await query(vm112, '/var/lib/ops-webhook/emitter.db', 'SELECT status, count(*) AS n FROM outbox_messages WHERE session_id LIKE :p GROUP BY status');
  return { events: events!.n!, distinct: events!.d!, tickets: tickets!.n!, outbox: Object.fromEntries(outbox.map((row) => [row.status, row.n])) };
}

/** Waits until every one of `count` events of `prefix` is on VM122, once, with its ticket, and delivered in VM112's outbox. */
async function expectDeliveredOnce(prefix: string, count: number, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let counts = await sessionCounts(prefix);
  while (Date.now() < deadline && !(counts.events === count && counts.outbox.delivered === count)) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    counts = await sessionCounts(prefix);
  }
  expect(counts).toEqual({ events: count, distinct: count, tickets: count, outbox: { delivered: count } });
}

/**
 * Runs the portal's module on VM112 (in the background until awaited), as the portal's own user,
 * a member of ops-webhook-portal as docs/deploy.md says: it reads the token from its folder.
 */
function portalSends(prefix: string, count: number, gapS: number): Promise<{ drained: boolean; outcomes: string[] }> {
  return vm112.run(['runuser', '-u', 'portal', '--', 'python3', '/usr/local/share/portal-drill.py', prefix, String(count), String(gapS)], { timeoutMs: 300_000 }).then((out) => JSON.parse(out.trim().split('\n').at(-1)!));
}

/** How many migrations VM122's database has applied. */
async function migrationsApplied(): Promise<number> {
  const out = await vm122.run(['runuser', '-u', 'ops-webhook', '--', '/usr/lib/ops-webhook/bin/node', '-e', COUNT_SCRIPT.replace('.all({ p: prefix + \'-%\' })', '.all()'), '/var/lib/ops-webhook/ops.db', 'SELECT count(*) AS n FROM __drizzle_migrations', '']);
  return (JSON.parse(out) as { n: number }[])[0]!.n;
}

/**
 * A package like the upgrade's but one version on, with a receiver migration that fails (it
 * creates a table that exists): the upgraded tree repacked, as a broken release would be.
 */
async function brokenPackage(): Promise<string> {
  const version = `${UPGRADE_VERSION}+broken`;
  const tree = join(WORK, 'broken-tree');
  await mustRun('cp', ['-a', join(ROOT, 'dist/deb', `ops-webhook_${UPGRADE_VERSION}_amd64`), tree]);
  const migrations = join(tree, 'usr/lib/ops-webhook/db/receiver/migrations');
  writeFileSync(join(migrations, '9999_broken.sql'), 'CREATE TABLE tickets (id integer);\n');
  const journal = JSON.parse(readFileSync(join(migrations, 'meta/_journal.json'), 'utf8')) as { entries: { idx: number; when: number; tag: string }[] };
  const last = journal.entries.at(-1)!;
  journal.entries.push({ ...last, idx: last.idx + 1, when: last.when + 1, tag: '9999_broken' });
  writeFileSync(join(migrations, 'meta/_journal.json'), JSON.stringify(journal, null, 2));
  const control = join(tree, 'DEBIAN/control');
  writeFileSync(control, readFileSync(control, 'utf8').replace(/^Version: .*$/m, `Version: ${version}`));
  await mustRun('dpkg-deb', ['--build', '--root-owner-group', '-Zgzip', '-z1', tree, join(WORK, 'pkg', deb(version))], { timeoutMs: 300_000 });
  rmSync(tree, { recursive: true, force: true });
  return deb(version);
}

beforeAll(async () => {
  await phase('tools and cached Debian trees', async () => {
    await ensureTools();
    await Promise.all([cachedTree('bookworm', SYSTEM_PACKAGES), cachedTree('trixie', ['systemd', 'ca-certificates'])]);
  });
  await phase('two package builds', async () => {
    await mustRun('npm', ['run', '--silent', 'package'], { timeoutMs: 900_000 });
    await mustRun('npm', ['run', '--silent', 'package'], { timeoutMs: 900_000, env: { ...process.env, PACKAGE_VERSION: UPGRADE_VERSION } });
    mkdirSync(join(WORK, 'pkg'), { recursive: true });
    for (const version of [VERSION, UPGRADE_VERSION]) copyFileSync(join(ROOT, 'dist', deb(version)), join(WORK, 'pkg', deb(version)));
  });
});

/** The systems' console logs are kept (and named) only when a step failed. */
let failed = false;
afterEach((context) => {
  if (context.task.result?.state === 'fail') failed = true;
});

afterAll(async () => {
  for (const system of systems) await system.poweroff().catch((err: Error) => drillLog(`poweroff ${system.name}: ${err.message}`));
  await network?.remove();
  for (const name of ['vm112', 'vm122', 'trixie']) await removeTree(join(WORK, name)).catch((err: Error) => drillLog(err.message));
  rmSync(join(WORK, 'pkg'), { recursive: true, force: true });
  if (failed) drillLog(`the systems' console logs are kept in ${WORK}`);
  else rmSync(WORK, { recursive: true, force: true });
  drillLog(`phases: ${timings()}`);
});

describe('the package', () => {
  it('lists the same files from two builds of one tree, and lintian reports no error', async () => {
    const listing = async (version: string) =>
      (await mustRun('dpkg-deb', ['-c', join(WORK, 'pkg', deb(version))])).split('\n').map((line) => line.split(/\s+/).filter((_, i) => i === 0 || i === 1 || i === 5).join(' '));
    expect(await listing(UPGRADE_VERSION)).toEqual(await listing(VERSION));
    const lintian = await phase('lintian', () => runCommand('lintian', [join(WORK, 'pkg', deb(VERSION))], { timeoutMs: 600_000 }));
    drillLog(`lintian:\n${lintian.stdout}`);
    expect(lintian.stdout.split('\n').filter((line) => line.startsWith('E:'))).toEqual([]);
    drillLog(`package size: ${(readFileSync(join(WORK, 'pkg', deb(VERSION))).length / 1048576).toFixed(1)} MiB`);
  });

  it('installs offline on an unbooted Debian 13 (no systemd running) and runs', async () => {
    const dir = join(WORK, 'trixie');
    await unpackTree(await cachedTree('trixie', ['systemd', 'ca-certificates']), dir);
    const out = await mustRun('systemd-nspawn', ['-D', dir, '--register=no', '--keep-unit', '--private-network', `--bind-ro=${join(WORK, 'pkg')}:/pkg`, '--', 'sh', '-c', `dpkg -i /pkg/${deb(VERSION)} && ops-webhook --version`], { timeoutMs: 300_000 });
    expect(out).toMatch(new RegExp(`ops-webhook ${VERSION.replaceAll('.', '\\.')} \\(node v24\\.`));
    expect(out).toMatch(/created the system user ops-webhook/);
  });
});

describe('two booted Debian 12 systems', () => {
  beforeAll(async () => {
    await phase('network and boot', async () => {
      network = await makeNetwork(`owd${process.pid % 10000}`, { vm112: 112, vm122: 122 });
      const tree = await cachedTree('bookworm', SYSTEM_PACKAGES);
      for (const [name, address] of [['vm122', RECEIVER], ['vm112', EMITTER]] as const) {
        const dir = join(WORK, name);
        await unpackTree(tree, dir);
        writeFileSync(join(dir, 'etc/hostname'), `${name}\n`);
        const system = new TestSystem({ name, dir, netns: network.namespaces[name]!.netns, packages: join(WORK, 'pkg'), log: join(WORK, `${name}.console.log`) });
        systems.push(system);
        expect(network.namespaces[name]!.address).toBe(address);
      }
      [vm122, vm112] = systems as [TestSystem, TestSystem];
      await Promise.all(systems.map((system) => system.boot()));
      writeFileSync(join(WORK, 'vm112', 'usr/local/share/portal-drill.py'), PORTAL_SCRIPT, { mode: 0o644 });
    });
  });

  it('sets up VM122 and pairs VM112 with the commands docs/deploy.md gives', async () => {
    const guide = guideCommands();
    expect(onDrillNetwork(guide.receiver)).toBe(`ops-webhook setup receiver --listen ${RECEIVER}:8443 --operator-listen ${RECEIVER}:8444`);
    expect(onDrillNetwork(guide.copy)).toBe(`scp root@${RECEIVER}:/etc/ops-webhook/emitter.pairing /root/`);
    await phase('install and setup', async () => {
      // As the guide says (apt-get install FILE), offline: the package needs nothing a minimal system lacks.
      for (const system of systems) await system.run(['apt-get', 'install', '-y', `/pkg/${deb(VERSION)}`], { timeoutMs: 300_000 });
      const receiver = await vm122.run(['sh', '-c', onDrillNetwork(guide.receiver)], { timeoutMs: 180_000 });
      expect(receiver).toMatch(/✓ receiver answers on https:\/\/10\.254\.0\.122:8443 \(mutual TLS\)/);
      expect(receiver).toMatch(/✓ desk answers on https:\/\/10\.254\.0\.122:8444\/desk/);
      expect(receiver).toMatch(/pairing file written: \/etc\/ops-webhook\/emitter\.pairing/);
      // scp, as the guide says: the file keeps its mode 0600.
      copyFileSync(join(WORK, 'vm122/etc/ops-webhook/emitter.pairing'), join(WORK, 'vm112/root/emitter.pairing'));
      await vm112.run(['chmod', '600', '/root/emitter.pairing']);
      const emitter = await vm112.run(['sh', '-c', onDrillNetwork(guide.emitter)], { timeoutMs: 180_000 });
      expect(emitter).toMatch(/✓ receiver accepts a signed probe over mutual TLS/);
      // The portal's user, as the guide says.
      await vm112.run(['useradd', '--system', '--no-create-home', 'portal']);
      await vm112.run(['usermod', '-aG', 'ops-webhook-portal', 'portal']);
      expect((await vm112.exec(['runuser', '-u', 'portal', '--', 'cat', '/etc/ops-webhook/emitter.env'])).status).not.toBe(0);
      // Run again, setup keeps every secret and the CA.
      const secret = (text: string) => /WEBHOOK_SECRET='([^']+)'/.exec(text)?.[1];
      const before = readFileSync(join(WORK, 'vm122/etc/ops-webhook/receiver.env'), 'utf8');
      const again = await vm122.run(['sh', '-c', onDrillNetwork(guide.receiver)], { timeoutMs: 180_000 });
      expect(again).toMatch(/signing secret kept/);
      expect(again).toMatch(/private CA kept/);
      expect(secret(readFileSync(join(WORK, 'vm122/etc/ops-webhook/receiver.env'), 'utf8'))).toBe(secret(before));
    });
  });

  it('hands events from the portal module to the emitter, and tickets appear on VM122', async () => {
    const sent = await portalSends('first', 5, 0.05);
    expect(sent).toEqual({ drained: true, outcomes: Array(5).fill('accepted') });
    await expectDeliveredOnce('first', 5);
  });

  it('serves the desk over TLS on the operator listener', async () => {
    const script = `import httpx; r = httpx.get('https://${RECEIVER}:8444/desk/login', verify='/etc/ops-webhook/tls/ca.pem'); print(r.status_code, 'Sign in' in r.text)`;
    expect((await vm112.run(['python3', '-c', script])).trim()).toBe('200 True');
  });

  it('mails a ticket that matters from VM122 over STARTTLS with AUTH, set up as docs/deploy.md says', async () => {
    await phase('notifications', async () => {
      // The mail server on VM112, with a certificate from a CA made here (none is committed).
      const certs = testCertificates();
      const password = `drill-${crypto.randomUUID()}`;
      const envFile = join(WORK, 'vm122/etc/ops-webhook/receiver.env');
      const settings = readFileSync(envFile, 'utf8');
      try {
        certs.makeCa('mail-ca');
        certs.makeLeaf('mail-ca', 'mail', `subjectAltName=IP:${EMITTER}\nextendedKeyUsage=serverAuth`);
        mkdirSync(join(WORK, 'vm112/root/mail'), { recursive: true, mode: 0o700 });
        for (const file of ['mail.pem', 'mail.key']) copyFileSync(certs.file(file), join(WORK, 'vm112/root/mail', file));
        writeFileSync(join(WORK, 'vm112/usr/local/share/smtp-drill.py'), SMTP_SCRIPT, { mode: 0o644 });
        await vm112.run(['systemd-run', '--unit=smtp-drill', 'python3', '/usr/local/share/smtp-drill.py', EMITTER, '2587', password]);
        copyFileSync(certs.file('mail-ca.pem'), join(WORK, 'vm122/etc/ops-webhook/mail-ca.pem'));
        await vm122.run(['chmod', '644', '/etc/ops-webhook/mail-ca.pem']);
        // As the guide's Notifications section says: lines added to receiver.env, then a restart.
        writeFileSync(envFile, `${settings}NOTIFY_SMTP_URL=smtp://desk:${password}@${EMITTER}:2587\nNOTIFY_SMTP_CA_FILE=/etc/ops-webhook/mail-ca.pem\nNOTIFY_EMAIL_FROM=ops-desk@drill.example\nNOTIFY_EMAIL_TO=ops@drill.example\nPUBLIC_ORIGIN=https://${RECEIVER}:8444\n`);
        await vm122.run(['systemctl', 'restart', 'ops-webhook-receiver.service'], { timeoutMs: 120_000 });
        const doctor = await vm122.exec(['ops-webhook', 'doctor'], { timeoutMs: 60_000 });
        expect(doctor.stdout).toMatch(new RegExp(`✓ mail server ${EMITTER.replaceAll('.', '\\.')}:2587 takes STARTTLS and the sign-in`));
        expect(doctor.stdout).not.toContain(password);

        await vm112.run(['ops-webhook', 'emit', 'onboarding.failed', 'drill.example', 'mail-1', '{"reason":"mailbox quota"}']);
        const received = join(WORK, 'vm112/root/mail/received.jsonl');
        const deadline = Date.now() + 60_000;
        while (Date.now() < deadline && !(existsSync(received) && readFileSync(received, 'utf8').includes('mailbox quota'))) await new Promise((r) => setTimeout(r, 250));
        const [mail] = readFileSync(received, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { tls: boolean; authenticated: boolean; to: string[]; subject: string; message_id: string; body: string });
        expect(mail).toMatchObject({ tls: true, authenticated: true, to: ['ops@drill.example'], subject: '[onboarding.failed] drill.example \u2014 mailbox quota' });
        expect(mail!.message_id).toMatch(/^<ticket-\d+\.opened@drill\.example>$/);
        expect(mail!.body).toContain(`Open the ticket: https://${RECEIVER}:8444/desk/tickets/`);
      } finally {
        // The rest of the drill runs without notifications (the mail server goes with this step).
        writeFileSync(envFile, settings);
        await vm122.run(['systemctl', 'restart', 'ops-webhook-receiver.service'], { timeoutMs: 120_000 }).catch((err: Error) => drillLog(err.message));
        await vm112.run(['systemctl', 'stop', 'smtp-drill']).catch((err: Error) => drillLog(err.message));
        certs.remove();
      }
    });
  });

  it('loses nothing and sends nothing twice when either service is killed with kill -9', async () => {
    await phase('kill -9', async () => {
      const sending = portalSends('killed', 30, 0.1);
      await new Promise((resolve) => setTimeout(resolve, 700));
      await vm112.run(['systemctl', 'kill', '--signal=SIGKILL', 'ops-webhook-emitter.service']);
      await new Promise((resolve) => setTimeout(resolve, 900));
      await vm122.run(['systemctl', 'kill', '--signal=SIGKILL', 'ops-webhook-receiver.service']);
      expect((await sending).outcomes.every((o) => o === 'accepted' || o === 'duplicate')).toBe(true);
      await expectDeliveredOnce('killed', 30);
    });
  });

  it('comes back after each system reboots', async () => {
    await phase('reboots', async () => {
      await vm122.reboot();
      await vm112.reboot();
      const sent = await portalSends('rebooted', 5, 0.05);
      expect(sent.outcomes).toEqual(Array(5).fill('accepted'));
      await expectDeliveredOnce('rebooted', 5);
    });
  });

  it('upgrades VM112, then VM122, while events flow: each delivered once', async () => {
    await phase('upgrades', async () => {
      const sending = portalSends('upgraded', 60, 0.1);
      const upgrade112 = await vm112.run(['dpkg', '-i', `/pkg/${deb(UPGRADE_VERSION)}`], { timeoutMs: 300_000 });
      expect(upgrade112).toMatch(/restarted ops-webhook-emitter\.service/);
      const upgrade122 = await vm122.run(['dpkg', '-i', `/pkg/${deb(UPGRADE_VERSION)}`], { timeoutMs: 300_000 });
      expect(upgrade122).toMatch(/restarted ops-webhook-receiver\.service/);
      const sent = await sending;
      expect(sent.drained).toBe(true);
      expect(sent.outcomes.every((o) => o === 'accepted' || o === 'duplicate')).toBe(true);
      await expectDeliveredOnce('upgraded', 60);
      for (const system of systems) expect(await system.run(['ops-webhook', '--version'])).toContain(UPGRADE_VERSION);
    });
  });

  it("runs the administrator's other verbs: status, emit, operator add, pki renew and pairing again", async () => {
    await phase('other verbs', async () => {
      for (const system of systems) expect((await system.exec(['ops-webhook', 'status'])).status).toBe(0);
      expect(await vm112.run(['ops-webhook', 'emit', 'account.created', 'drill.example', 'emitted-0', '{"admin_email":"admin@drill.example"}'])).toMatch(/✓ account\.created drill\.example emitted-0 accepted/);
      await expectDeliveredOnce('emitted', 1);
      const refused = await vm112.exec(['ops-webhook', 'emit', 'account.created', 'drill.example', 'emitted-1', '{}']);
      expect(refused.status).toBe(1);
      expect(refused.stdout).toMatch(/cause: the emitter answered 422: .*data\.admin_email/);
      // No terminal: the password is generated and shown once; the entry lands in OPERATOR_USERS.
      expect(await vm122.run(['ops-webhook', 'operator', 'add', 'alice'])).toMatch(/alice's password, shown this once: \S{20,}/);
      expect(readFileSync(join(WORK, 'vm122/etc/ops-webhook/receiver.env'), 'utf8')).toMatch(/OPERATOR_USERS='admin:[^,']+,alice:pbkdf2-sha256/);
      // New certificates from the same CA, a new pairing file, and the link on them.
      expect(await vm122.run(['ops-webhook', 'pki', 'renew'], { timeoutMs: 60_000 })).toMatch(/receiver certificate issued \(renewal asked for\)/);
      copyFileSync(join(WORK, 'vm122/etc/ops-webhook/emitter.pairing'), join(WORK, 'vm112/root/emitter.pairing'));
      await vm112.run(['chmod', '600', '/root/emitter.pairing']);
      expect(await vm112.run(['ops-webhook', 'setup', 'emitter', '--pair', '/root/emitter.pairing'], { timeoutMs: 120_000 })).toMatch(/✓ receiver accepts a signed probe over mutual TLS/);
      const sent = await portalSends('renewed', 3, 0.05);
      expect(sent.outcomes).toEqual(Array(3).fill('accepted'));
      await expectDeliveredOnce('renewed', 3);
    });
  });

  it('restores a backup under socket activation while events flow: reconciliation brings back what the backup lacks', async () => {
    await phase('backup and restore', async () => {
      // A setting added by hand survives setup: reconciliation every 5 s, so the drill need not wait 10 minutes.
      await vm112.sh("echo \"RECONCILE_INTERVAL='5s'\" >> /etc/ops-webhook/emitter.env && systemctl restart ops-webhook-emitter.service");
      const backup = /(\/var\/lib\/ops-webhook\/backups\/receiver-\S+\.db)/.exec(await vm122.run(['ops-webhook', 'backup']))?.[1];
      expect(backup).toBeDefined();
      const sending = portalSends('restored', 40, 0.1);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const restored = await vm122.run(['ops-webhook', 'restore', backup!], { timeoutMs: 120_000 });
      expect(restored).toMatch(/ops-webhook-receiver\.socket, ops-webhook-receiver-operator\.socket, ops-webhook-receiver\.service stopped/);
      expect(restored).toMatch(/receiver started again/);
      expect((await sending).drained).toBe(true);
      await expectDeliveredOnce('restored', 40, 120_000);
    });
  });

  it('keeps the running version serving when an upgrade brings a migration that fails', async () => {
    await phase('failed upgrade', async () => {
      const broken = await brokenPackage();
      const before = await migrationsApplied();
      const failed = await vm122.exec(['dpkg', '-i', `/pkg/${broken}`], { timeoutMs: 300_000 });
      expect(failed.status).not.toBe(0);
      expect(`${failed.stdout}${failed.stderr}`).toMatch(/NOT restarting ops-webhook-receiver\.service: the new version's migrations fail on a copy of its database/);
      expect(await migrationsApplied()).toBe(before);
      const sent = await portalSends('kept-serving', 3, 0.05);
      expect(sent.outcomes).toEqual(Array(3).fill('accepted'));
      await expectDeliveredOnce('kept-serving', 3);
      // The fixed package (here: the previous one again) configures and restarts as usual.
      expect(await vm122.run(['dpkg', '-i', `/pkg/${deb(UPGRADE_VERSION)}`], { timeoutMs: 300_000 })).toMatch(/restarted ops-webhook-receiver\.service/);
    });
  });

  it('has doctor green on both, and red with the cause when the receiver is stopped', async () => {
    for (const system of systems) {
      const result = await system.exec(['ops-webhook', 'doctor'], { timeoutMs: 60_000 });
      drillLog(`doctor on ${system.name}:\n${result.stdout}`);
      expect(result.status, result.stdout).toBe(0);
      expect(result.stdout).toMatch(/doctor: all checks passed/);
    }
    await vm122.run(['systemctl', 'stop', 'ops-webhook-receiver.socket', 'ops-webhook-receiver-operator.socket', 'ops-webhook-receiver.service']);
    const red = await vm112.exec(['ops-webhook', 'doctor'], { timeoutMs: 60_000 });
    drillLog(`doctor on vm112 with the receiver stopped:\n${red.stdout}`);
    expect(red.status).toBe(1);
    expect(red.stdout).toMatch(/✗ receiver reachable over mutual TLS at 10\.254\.0\.122:8443\n\s+cause: .*ECONNREFUSED/);
    await vm122.run(['systemctl', 'start', 'ops-webhook-receiver.socket', 'ops-webhook-receiver-operator.socket', 'ops-webhook-receiver.service']);
  });

  it('rates each service at most 2.5 in systemd-analyze security', async () => {
    for (const [system, unit] of [[vm122, 'ops-webhook-receiver.service'], [vm112, 'ops-webhook-emitter.service']] as const) {
      const out = await system.run(['systemd-analyze', 'security', '--no-pager', unit]);
      const score = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(out)?.[1]);
      drillLog(`${unit}: ${score}`);
      expect(score).toBeLessThanOrEqual(2.5);
    }
  });

  it('keeps configuration and data on remove, and only the data on purge', async () => {
    await vm112.run(['dpkg', '-r', 'ops-webhook']);
    await vm112.run(['test', '-f', '/etc/ops-webhook/emitter.env']);
    await vm112.run(['test', '-f', '/var/lib/ops-webhook/emitter.db']);
    const purge = await vm112.run(['dpkg', '--purge', 'ops-webhook']);
    expect(purge).toMatch(/the data is kept in \/var\/lib\/ops-webhook/);
    expect((await vm112.exec(['test', '-e', '/etc/ops-webhook'])).status).not.toBe(0);
    expect((await vm112.exec(['test', '-e', '/etc/ops-webhook-portal'])).status).not.toBe(0);
    expect((await vm112.exec(['getent', 'passwd', 'ops-webhook'])).status).not.toBe(0);
    await vm112.run(['test', '-f', '/var/lib/ops-webhook/emitter.db']);
  });
});
