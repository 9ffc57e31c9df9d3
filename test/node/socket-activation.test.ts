/**
 * Restarts refuse no connection under systemd socket activation (black box). Each function is
 * started the way systemd starts it: `systemd-socket-activate` (Debian's systemd) opens the socket
 * and runs a loop that plays `Restart=always`, each host getting the socket as fd 3 with LISTEN_PID
 * its own; `KillMode=control-group` is played by killing the host's process group (host and
 * workerd) with SIGKILL. Clients keep connecting throughout, each request on a new connection.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { HOST_NODE_ARGS, ROOT } from '../../host/project.mjs';
import { makeEvent, type EventBody } from '../support/factories';
import { serveFixture } from '../support/serve-fixture';
import { freePort } from '../../scripts/support/serve-process';
import { EMITTER_AUTH, TEST_EMITTER_API_TOKEN } from '../support/test-env';
import { waitFor } from '../support/wait';

const SECRET = `activation-${crypto.randomUUID()}-${crypto.randomUUID()}`;
const fx = serveFixture('activation');
const ONBOARD = '/api/v1/webhooks/onboard';

interface Activated {
  url: string;
  lines: string[];
  /** Process groups of the hosts started so far, newest last. */
  hosts: number[];
  /** SIGKILL to the running host and its workerd, as a crash; the loop starts the next. */
  crash(): Promise<void>;
  stop(): Promise<void>;
}

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
});

async function activate(name: 'receiver' | 'emitter', env: Record<string, string>, operatorPort?: number): Promise<Activated> {
  const port = await freePort();
  // With an operator listener, systemd passes two sockets told apart by their names (FileDescriptorName=).
  const sockets = operatorPort === undefined ? ['-l', `127.0.0.1:${port}`] : ['-l', `127.0.0.1:${port}`, '-l', `127.0.0.1:${operatorPort}`, '--fdname=http:operator'];
  // `setsid` puts each host (and its workerd) in a group of its own; `exec` keeps the pid LISTEN_PID names.
  const loop = `while true; do (export LISTEN_PID=$BASHPID; exec setsid ${process.execPath} ${HOST_NODE_ARGS.join(' ')} host/serve.mjs ${name}); done`;
  const setenv = Object.entries({ PATH: process.env.PATH!, HOME: process.env.HOME!, HOST: '127.0.0.1', MIN_FREE_DISK_MB: '0', LOG_LEVEL: 'info', ...env }).flatMap(([k, v]) => ['-E', `${k}=${v}`]);
  const child = spawn('systemd-socket-activate', [...sockets, ...setenv, 'bash', '-c', loop], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.push(child);
  const lines: string[] = [];
  const hosts: number[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      lines.push(line);
      const pid = /socket systemd passed.*"pid":(\d+)/.exec(line)?.[1];
      if (pid) hosts.push(Number(pid));
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const url = `http://127.0.0.1:${port}`;
  // The socket exists once systemd-socket-activate says it listens: from then on nothing is refused.
  await waitFor(() => lines.filter((l) => l.startsWith('Listening on')).length === sockets.filter((a) => a === '-l').length, 10_000, 20);
  return {
    url,
    lines,
    hosts,
    async crash() {
      const count = hosts.length;
      await waitFor(() => hosts.length > 0, 30_000);
      process.kill(-hosts.at(-1)!, 'SIGKILL');
      await waitFor(() => hosts.length > count, 30_000);
    },
    async stop() {
      process.kill(-child.pid!, 'SIGKILL');
      for (const pgid of hosts) {
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    },
  };
}

interface Outcome {
  status?: number;
  error?: string;
}

/** One POST on a connection of its own (no keep-alive), as the portal makes them. */
function post(url: string, body: string, headers: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...headers }, timeout: 30_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(body);
  });
}

/** Sends events one after another until `stop()` says so; answers what each got. */
async function keepSending(url: string, headers: Record<string, string>, stop: () => boolean): Promise<{ event: EventBody; outcome: Outcome }[]> {
  const sent: { event: EventBody; outcome: Outcome }[] = [];
  while (!stop()) {
    const event = makeEvent();
    sent.push({ event, outcome: await post(url, JSON.stringify(event), headers) });
    await new Promise((r) => setTimeout(r, 20));
  }
  return sent;
}

/** Events sent to `url` one after another while `crashing` is killed -9 twice, a second apart; what each got. */
async function sendingThroughTwoCrashes(url: string, crashing: Activated) {
  let done = false;
  const sending = keepSending(url, EMITTER_AUTH, () => done);
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  await pause(1000);
  await crashing.crash();
  await pause(1000);
  await crashing.crash();
  await pause(1500);
  done = true;
  return sending;
}

const onRecord = (db: string, event: EventBody) =>
  fx.query<{ n: number }>(db, `SELECT count(*) AS n FROM webhook_events WHERE session_id = '${event.session_id}'`)[0]!.n;

describe('socket activation (black box)', () => {
  it('refuses no portal connection while the emitter is killed -9 and restarted, and delivers every acknowledged event', async () => {
    const receiver = await fx.serve('receiver', { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${fx.file('ops.db')}`, SQLITE_SYNCHRONOUS: 'NORMAL' });
    const emitter = await activate('emitter', {
      OPS_WEBHOOK_URL: `${receiver.url}${ONBOARD}`,
      OPS_WEBHOOK_SECRET: SECRET,
      EMITTER_API_TOKEN: TEST_EMITTER_API_TOKEN,
      DATABASE_URL: `file:${fx.file('emitter.db')}`,
      SWEEP_INTERVAL_MS: '100',
    });
    try {
      // systemd-socket-activate starts the service on the first connection, as a socket unit would.
      const sent = await sendingThroughTwoCrashes(`${emitter.url}/v1/events`, emitter);
      expect(sent.filter((s) => s.outcome.error === 'ECONNREFUSED')).toEqual([]);
      const acknowledged = sent.filter((s) => s.outcome.status === 202);
      // Only a request in flight at the moment of a kill may go unanswered (the portal retries it).
      expect(acknowledged.length).toBeGreaterThanOrEqual(sent.length - 2);
      expect(acknowledged.length).toBeGreaterThan(20);
      await waitFor(() => acknowledged.every((s) => onRecord('ops.db', s.event) === 1), 30_000, 200);
    } finally {
      await emitter.stop();
    }
  });

  it('refuses no delivery connection while the receiver is killed -9 and restarted, and records every event once', async () => {
    const receiverDb = 'activated-ops.db';
    const receiver = await activate('receiver', { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${fx.file(receiverDb)}` });
    const emitter = await fx.serve('emitter', {
      OPS_WEBHOOK_URL: `${receiver.url}${ONBOARD}`,
      OPS_WEBHOOK_SECRET: SECRET,
      OPS_WEBHOOK_RETRY_SCHEDULE: '200ms,400ms,800ms,1m',
      SWEEP_INTERVAL_MS: '100',
      DATABASE_URL: `file:${fx.file('feeding-emitter.db')}`,
    });
    try {
      const accepted = (await sendingThroughTwoCrashes(`${emitter.url}/v1/events`, receiver)).filter((s) => s.outcome.status === 202);
      await waitFor(() => accepted.every((s) => onRecord(receiverDb, s.event) === 1), 30_000, 200);
      const refused = fx.query<{ n: number }>('feeding-emitter.db', "SELECT count(*) AS n FROM delivery_attempts WHERE error LIKE '%refused%'")[0]!.n;
      expect(refused).toBe(0);
    } finally {
      await receiver.stop();
    }
  });

  it('keeps both sockets across a crash when OPERATOR_PORT is socket-activated too: machines and people are queued, not refused', async () => {
    const operatorPort = await freePort();
    const receiver = await activate('receiver', { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${fx.file('two-sockets.db')}`, OPERATOR_PORT: String(operatorPort), OPERATOR_USERS: 'alice:pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, operatorPort);
    const get = (url: string) =>
      new Promise<Outcome>((resolve) => {
        const req = request(url, { agent: false, timeout: 30_000 }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode }));
        });
        req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
        req.end();
      });
    const people = `http://127.0.0.1:${operatorPort}/desk/login`;
    try {
      expect((await get(`${receiver.url}/healthz`)).status).toBe(200);
      expect((await get(people)).status).toBe(200);
      await receiver.crash();
      // Right after the crash, while the next host starts: both wait in their sockets' queues.
      const [machine, person] = await Promise.all([get(`${receiver.url}/healthz`), get(people)]);
      expect(machine).toEqual({ status: 200 });
      expect(person).toEqual({ status: 200 });
      expect((await get(`${receiver.url}/desk/login`)).status).toBe(404);
    } finally {
      await receiver.stop();
    }
  });
});

/** Starts the receiver once under systemd-socket-activate with these sockets, wakes it with a connection, and answers its exit code and output. */
async function activateOnce(sockets: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const setenv = Object.entries({ PATH: process.env.PATH!, HOME: process.env.HOME!, HOST: '127.0.0.1', MIN_FREE_DISK_MB: '0', ...env }).flatMap(([k, v]) => ['-E', `${k}=${v}`]);
  const child = spawn('systemd-socket-activate', [...sockets, ...setenv, process.execPath, ...HOST_NODE_ARGS, 'host/serve.mjs', 'receiver'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await waitFor(() => (output.match(/^Listening on/gm) ?? []).length === sockets.filter((a) => a === '-l').length, 10_000, 20);
  // systemd-socket-activate starts the program at the first connection.
  const port = /Listening on 127\.0\.0\.1:(\d+)/.exec(output)![1]!;
  await post(`http://127.0.0.1:${port}/healthz`, '', {});
  return { code: await exited, output };
}

describe('socket activation: descriptors chosen by name (black box)', () => {
  const env = () => ({ WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${fx.file('names.db')}` });

  it('refuses to start (exit 2), saying why, when no socket is named http: it never serves the operator socket as the machine one', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const run = await activateOnce(['-l', `127.0.0.1:${a}`, '-l', `127.0.0.1:${b}`, '--fdname=operator:receiver.socket'], { ...env(), OPERATOR_PORT: String(a) });
    expect(run.code).toBe(2);
    expect(run.output).toMatch(/refusing to start.*none is named http; give the machine socket unit FileDescriptorName=http/);
  });

  it('refuses two sockets of one name, and a second socket of another name', async () => {
    const twice = await activateOnce(['-l', `127.0.0.1:${await freePort()}`, '-l', `127.0.0.1:${await freePort()}`, '--fdname=http:http'], env());
    expect(twice.code).toBe(2);
    expect(twice.output).toMatch(/two share a name/);
    const stray = await activateOnce(['-l', `127.0.0.1:${await freePort()}`, '-l', `127.0.0.1:${await freePort()}`, '--fdname=http:metrics'], env());
    expect(stray.code).toBe(2);
    expect(stray.output).toMatch(/metrics is neither http nor operator/);
  });
});
