/**
 * Across a real interface, like the two VMs (black box): two network namespaces of the test's
 * own, joined by a veth pair addressed from 10.254.0.0/16 and with no default route in either (so
 * nothing can leave the machine); the receiver in one with TLS and mutual TLS, the emitter in the
 * other with its CA and client certificate; an event handed to the emitter arrives at the
 * receiver. The namespaces are deleted afterwards. Where they cannot be made (no root, no
 * iproute2), the test fails and says so: it never passes without having run.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_NODE_ARGS, ROOT } from '../../host/project.mjs';
import { makeEvent } from '../support/factories';
import { queryFile } from '../../scripts/support/sqlite-read';
import { EMITTER_AUTH, TEST_EMITTER_API_TOKEN } from '../support/test-env';
import { waitFor } from '../support/wait';

const SECRET = `netns-${crypto.randomUUID()}-${crypto.randomUUID()}`;
const tag = Math.random().toString(36).slice(2, 7);
const OPS_NS = `opsw-ops-${tag}`;
const PORTAL_NS = `opsw-portal-${tag}`;
const subnet = 1 + Math.floor(Math.random() * 250);
const OPS_ADDRESS = `10.254.${subnet}.1`;
const PORTAL_ADDRESS = `10.254.${subnet}.2`;
const dir = mkdtempSync(join(tmpdir(), 'ops-webhook-netns-'));
const file = (name: string) => join(dir, name);
const children: ChildProcess[] = [];

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Starts a host inside `ns`; resolves with its output lines once it listens. */
async function serveIn(ns: string, name: 'receiver' | 'emitter', env: Record<string, string>): Promise<string[]> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...HOST_NODE_ARGS, 'host/serve.mjs', name], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, MIN_FREE_DISK_MB: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.push(child);
  const lines: string[] = [];
  const collect = (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  await waitFor(() => lines.some((l) => l.includes('"msg":"listening"')), 60_000).catch(() => {
    throw new Error(`${name} did not listen in ${ns}:\n${lines.join('\n')}`);
  });
  return lines;
}

beforeAll(() => {
  try {
    ip('netns', 'add', OPS_NS);
    ip('netns', 'add', PORTAL_NS);
    ip('link', 'add', `opsw${tag}o`, 'type', 'veth', 'peer', 'name', `opsw${tag}p`);
    ip('link', 'set', `opsw${tag}o`, 'netns', OPS_NS);
    ip('link', 'set', `opsw${tag}p`, 'netns', PORTAL_NS);
    ip('-n', OPS_NS, 'addr', 'add', `${OPS_ADDRESS}/30`, 'dev', `opsw${tag}o`);
    ip('-n', PORTAL_NS, 'addr', 'add', `${PORTAL_ADDRESS}/30`, 'dev', `opsw${tag}p`);
    for (const [ns, dev] of [[OPS_NS, `opsw${tag}o`], [PORTAL_NS, `opsw${tag}p`]] as const) {
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'link', 'set', dev, 'up');
    }
  } catch (err) {
    throw new Error(`cannot create the test's network namespaces (this test needs root and iproute2): ${(err as Error).message}`);
  }
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=netns CA');
  const leaf = (name: string, ext: string) => {
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    writeFileSync(file(`${name}.ext`), `${ext}\n`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
  };
  leaf('ops', `subjectAltName=IP:${OPS_ADDRESS}\nextendedKeyUsage=serverAuth`);
  leaf('emitter', 'extendedKeyUsage=clientAuth');
});

afterAll(() => {
  for (const child of children) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  for (const ns of [OPS_NS, PORTAL_NS]) {
    try {
      ip('netns', 'del', ns);
    } catch {
      // Never made.
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('across a real interface (network namespaces)', () => {
  it('delivers an event from the emitter in one namespace to the receiver in the other, over mutual TLS', async () => {
    // Neither namespace has a default route: only the veth's own /30 is reachable.
    expect(execFileSync('ip', ['-n', PORTAL_NS, 'route', 'show', 'default'], { encoding: 'utf8' }).trim()).toBe('');
    expect(execFileSync('ip', ['-n', OPS_NS, 'route', 'show', 'default'], { encoding: 'utf8' }).trim()).toBe('');
    await serveIn(OPS_NS, 'receiver', {
      HOST: OPS_ADDRESS,
      PORT: '8443',
      TLS_CERT_FILE: file('ops.pem'),
      TLS_KEY_FILE: file('ops.key'),
      TLS_CLIENT_CA_FILE: file('ca.pem'),
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_REQUIRE_SIGNATURE: 'true',
      DATABASE_URL: `file:${file('ops.db')}`,
    });
    await serveIn(PORTAL_NS, 'emitter', {
      HOST: '127.0.0.1',
      PORT: '8787',
      OPS_WEBHOOK_URL: `https://${OPS_ADDRESS}:8443/api/v1/webhooks/onboard`,
      OPS_WEBHOOK_SECRET: SECRET,
      OPS_WEBHOOK_SEND_SECRET_HEADER: 'false',
      OPS_WEBHOOK_CA_FILE: file('ca.pem'),
      OPS_WEBHOOK_CLIENT_CERT_FILE: file('emitter.pem'),
      OPS_WEBHOOK_CLIENT_KEY_FILE: file('emitter.key'),
      EMITTER_API_TOKEN: TEST_EMITTER_API_TOKEN,
      DATABASE_URL: `file:${file('emitter.db')}`,
    });
    // The portal, inside the emitter's namespace, hands the event over on loopback.
    const event = makeEvent();
    const portal = `fetch('http://127.0.0.1:8787/v1/events', { method: 'POST', headers: ${JSON.stringify({ 'content-type': 'application/json', ...EMITTER_AUTH })}, body: ${JSON.stringify(JSON.stringify(event))} }).then((r) => process.stdout.write(String(r.status)))`;
    const status = execFileSync('ip', ['netns', 'exec', PORTAL_NS, process.execPath, '-e', portal], { encoding: 'utf8' });
    expect(status).toBe('202');
    await waitFor(() => queryFile<{ n: number }>(file('ops.db'), `SELECT count(*) AS n FROM webhook_events WHERE session_id = '${event.session_id}'`)[0]!.n === 1, 30_000, 200);
  });
});
