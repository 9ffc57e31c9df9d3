/**
 * `npm run bench -- sign-in`: intake latency while the desk's sign-in is flooded. A separate
 * process sends 200 sign-ins at once, each from its own source address (127.0.0.10 …
 * 127.0.0.209, all loopback) and with its own user name, so that no per-name or per-address
 * limit applies and only the process's budget of password checks stands between the flood and
 * the thread that serves intake. While they are in flight, intakes are sent one after another
 * and timed. The target (issue "From ticket to a person"): every intake answered within 250 ms.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { operatorEntry } from '../../functions/operator-area/password';
import { startServe } from '../support/serve-process';
import { quantile, uniqueEvent } from './measure';

const FLOOD = 200;
/** Floods, one after another: the refused attempts are answered fast, so one flood is over in a moment. */
const ROUNDS = 10;
const TARGET_MS = 250;

/** What the flooding child runs: FLOOD concurrent sign-ins against argv[1], then prints the statuses. */
const FLOODER = `
const { request } = require('node:http');
const [url, n, round] = process.argv.slice(1);
const origin = new URL(url).origin;
const one = (i) => new Promise((resolve, reject) => {
  const body = new URLSearchParams({ username: 'stranger-' + round + '-' + i, password: 'flood guess ' + i }).toString();
  const req = request(url, { method: 'POST', localAddress: '127.0.0.' + (10 + i), headers: { 'content-type': 'application/x-www-form-urlencoded', origin } }, (res) => {
    res.resume();
    res.on('end', () => resolve(res.statusCode));
  });
  req.on('error', reject);
  req.end(body);
});
const all = Promise.all(Array.from({ length: Number(n) }, (_, i) => one(i)));
process.stderr.write('sent\\n');
all.then((s) => console.log(JSON.stringify(s)));
`;

export async function measureSignInFlood(dir: string, secret: string): Promise<string[]> {
  const users = [await operatorEntry('alice', 'bench operator password'), await operatorEntry('bob', 'bench operator password 2')].join(',');
  const desk = await startServe('receiver', { WEBHOOK_SECRET: secret, DATABASE_URL: `file:${join(dir, 'sign-in.db')}`, OPERATOR_USERS: users, LOG_LEVEL: 'error' });
  try {
    const times: number[] = [];
    const counts: Record<number, number> = {};
    for (let round = 0; round < ROUNDS; round++) {
      const flooder = spawn(process.execPath, ['-e', FLOODER, `${desk.url}/desk/login`, String(FLOOD), String(round)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let statuses = '';
      flooder.stdout.on('data', (d: Buffer) => (statuses += d));
      const done = new Promise<void>((resolve) => flooder.on('exit', () => resolve()));
      // The first intake goes as soon as the flood's requests are on their way, then more until it is answered.
      await new Promise<void>((resolve) => flooder.stderr.on('data', (d: Buffer) => d.toString().includes('sent') && resolve()));
      let floodOver = false;
      void done.then(() => (floodOver = true));
      do {
        const started = performance.now();
        const res = await fetch(`${desk.url}/api/v1/webhooks/onboard`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-webhook-secret': secret }, body: uniqueEvent('flood') });
        await res.arrayBuffer();
        if (res.status !== 201) throw new Error(`intake during the flood answered ${res.status}`);
        times.push(performance.now() - started);
      } while (!floodOver);
      await done;
      for (const status of JSON.parse(statuses) as number[]) counts[status] = (counts[status] ?? 0) + 1;
      // The next flood starts with the budget of checks refilled, as a new attack would.
      await new Promise((r) => setTimeout(r, 1000));
    }
    const worst = Math.max(...times);
    return [
      `intake during a ${FLOOD}-attempt sign-in flood from ${FLOOD} addresses, each a new name (${ROUNDS} floods): ${times.length} intakes, p50 ${quantile(times, 0.5).toFixed(1)} ms, p95 ${quantile(times, 0.95).toFixed(1)} ms, max ${worst.toFixed(1)} ms; floods answered ${JSON.stringify(counts)}`,
      `  ${worst <= TARGET_MS ? 'MET ' : 'MISS'} every intake during the flood answered ≤ ${TARGET_MS} ms`.padEnd(60) + ` ${worst.toFixed(0)} ms`,
    ];
  } finally {
    await desk.stop();
  }
}
