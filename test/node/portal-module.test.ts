/**
 * The portal's module (deploy/portal/ops_webhook.py, installed at /usr/share/ops-webhook/portal)
 * against the real emitter and receiver: Debian's python3 with python3-httpx, as on VM112.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, type ServeProcess } from '../../scripts/support/serve-process';
import { ROOT } from '../../host/project.mjs';
import { TEST_EMITTER_API_TOKEN } from '../support/test-env';
import { serveFixture } from '../support/serve-fixture';
import { waitFor } from '../support/wait';

const PYTHON = '/usr/bin/python3';
const SECRET = `portal-${crypto.randomUUID()}-${crypto.randomUUID()}`;
const fx = serveFixture('portal');

interface PortalRun {
  /** What became of each event, in order. */
  outcomes: string[];
  /** The module's outcomes the moment emit_event returned. */
  atReturn: number;
  drained: boolean;
  log: string;
}

/** Runs the module in Debian's python3: emits `events`, notes what is settled when the calls return, then waits. */
function runPortal(events: { event: string; session: string; data: Record<string, unknown> }[], env: Record<string, string>, options: { deadlineS?: number; beforeFlush?: () => Promise<unknown> } = {}): Promise<PortalRun> {
  const script = `
import json, logging, io, sys
stream = io.StringIO()
logging.basicConfig(stream=stream, level=logging.INFO)
import ops_webhook
emitter = ops_webhook.Emitter(deadline_s=${options.deadlineS ?? 30}, first_pause_s=0.2)
ops_webhook._default = emitter
for e in json.loads(sys.argv[1]):
    ops_webhook.emit_event(e["event"], "portal.example", e["session"], e["data"])
at_return = len(emitter.outcomes)
print("returned", flush=True)
sys.stdin.readline()
drained = emitter.flush(60)
emitter.close()
print(json.dumps({"outcomes": [o for _, o in emitter.outcomes], "atReturn": at_return, "drained": drained, "log": stream.getvalue()}))
`;
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['-c', script, JSON.stringify(events)], { env: { PATH: '/usr/bin:/bin', PYTHONPATH: join(ROOT, 'deploy/portal'), PYTHONDONTWRITEBYTECODE: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      // The calls have returned: let the test act (start an emitter), then let the module flush.
      if (out.startsWith('returned\n') && !child.stdin.writableEnded) void Promise.resolve(options.beforeFlush?.()).then(() => child.stdin.end('go\n'), reject);
    });
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`python exited ${code}: ${err}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!) as PortalRun);
    });
  });
}

async function link(emitterPort?: number): Promise<{ receiver: ServeProcess; emitter: ServeProcess }> {
  const receiver = await fx.serve('receiver', { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${fx.file('ops.db')}` });
  const emitter = await fx.serve('emitter', {
    OPS_WEBHOOK_URL: `${receiver.url}/api/v1/webhooks/onboard`,
    OPS_WEBHOOK_SECRET: SECRET,
    DATABASE_URL: `file:${fx.file('emitter.db')}`,
    SWEEP_INTERVAL_MS: '200',
    ...(emitterPort ? { PORT: String(emitterPort) } : {}),
  });
  return { receiver, emitter };
}

const recorded = (session: string) => fx.query<{ n: number }>('ops.db', `SELECT count(*) AS n FROM webhook_events WHERE session_id = '${session}'`)[0]!.n;
const account = (session: string) => ({ event: 'account.created', session, data: { admin_email: `admin@${session}.example` } });

describe('the portal module (ops_webhook.py)', () => {
  it('returns from emit_event at once and hands the event to the emitter, which delivers it; sent again, it is a duplicate', async () => {
    const { emitter } = await link();
    const run = await runPortal([account('p-1'), account('p-1')], { OPS_WEBHOOK_EMITTER_URL: `${emitter.url}/v1/events`, EMITTER_API_TOKEN: TEST_EMITTER_API_TOKEN });
    expect(run.atReturn).toBe(0);
    expect(run).toMatchObject({ outcomes: ['accepted', 'duplicate'], drained: true });
    await waitFor(() => recorded('p-1') === 1, 20_000);
  });

  it('reads its token from the token file when the environment has none', async () => {
    const { emitter } = await link();
    const dir = mkdtempSync(join(tmpdir(), 'portal-token-'));
    writeFileSync(join(dir, 'portal.token'), `${TEST_EMITTER_API_TOKEN}\n`, { mode: 0o640 });
    const run = await runPortal([account('p-file')], { OPS_WEBHOOK_EMITTER_URL: `${emitter.url}/v1/events`, EMITTER_API_TOKEN_FILE: join(dir, 'portal.token') });
    expect(run.outcomes).toEqual(['accepted']);
  });

  it('keeps trying while the emitter is down, and hands the event over once it is up', async () => {
    const port = await freePort();
    const run = await runPortal([account('p-late')], { OPS_WEBHOOK_EMITTER_URL: `http://127.0.0.1:${port}/v1/events`, EMITTER_API_TOKEN: TEST_EMITTER_API_TOKEN }, { beforeFlush: () => link(port) });
    expect(run.atReturn).toBe(0);
    expect(run.outcomes).toEqual(['accepted']);
    await waitFor(() => recorded('p-late') === 1, 20_000);
  });

  it('does not retry what the emitter refuses (a wrong token, a bad payload), and logs the key', async () => {
    const { emitter } = await link();
    const env = { OPS_WEBHOOK_EMITTER_URL: `${emitter.url}/v1/events` };
    const wrongToken = await runPortal([account('p-401')], { ...env, EMITTER_API_TOKEN: 'x'.repeat(40) });
    expect(wrongToken.outcomes).toEqual(['refused']);
    expect(wrongToken.log).toMatch(/refused account\.created p-401 portal\.example: 401/);
    const badPayload = await runPortal([{ event: 'account.created', session: 'p-422', data: {} }], { ...env, EMITTER_API_TOKEN: TEST_EMITTER_API_TOKEN });
    expect(badPayload.outcomes).toEqual(['refused']);
    expect(badPayload.log).toMatch(/422/);
  });

  it('gives up after its deadline with the cause when there is no token, or no emitter', async () => {
    const noToken = await runPortal([account('p-none')], { OPS_WEBHOOK_EMITTER_URL: 'http://127.0.0.1:9/v1/events', EMITTER_API_TOKEN_FILE: '/nonexistent/portal.token' }, { deadlineS: 1 });
    expect(noToken.outcomes).toEqual(['gave up']);
    expect(noToken.log).toMatch(/cannot read the emitter's API token from \/nonexistent\/portal\.token/);
    const port = await freePort();
    const noEmitter = await runPortal([account('p-down')], { OPS_WEBHOOK_EMITTER_URL: `http://127.0.0.1:${port}/v1/events`, EMITTER_API_TOKEN: TEST_EMITTER_API_TOKEN }, { deadlineS: 1 });
    expect(noEmitter.outcomes).toEqual(['gave up']);
    expect(noEmitter.log).toMatch(/never took account\.created p-down portal\.example after \d+ tries \(unreachable/);
  });
});
