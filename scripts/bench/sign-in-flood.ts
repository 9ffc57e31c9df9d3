/**
 * `npm run bench -- sign-in`: intake latency while the desk's sign-in is flooded. A separate
 * process sends 200 wrong passwords at once (so the flood's client work is not on this
 * process's clock); while they are in flight, intakes are sent one after another and timed.
 * The target (issue "Sign-in under attack"): every intake answered within 250 ms.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { operatorEntry } from '../../functions/operator-area/password';
import { startServe } from '../support/serve-process';
import { quantile, uniqueEvent } from './measure';

const FLOOD = 200;
const INTAKES = 20;
const TARGET_MS = 250;

/** What the flooding child runs: FLOOD concurrent sign-ins against argv[1], then prints the statuses. */
const FLOODER = `
const [url, n] = process.argv.slice(1);
const body = (i) => new URLSearchParams({ username: i % 2 ? 'alice' : 'bob', password: 'flood guess ' + i }).toString();
const origin = new URL(url).origin;
Promise.all(Array.from({ length: Number(n) }, (_, i) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin }, body: body(i) }).then((r) => r.status)))
  .then((s) => console.log(JSON.stringify(s)));
`;

export async function measureSignInFlood(dir: string, secret: string): Promise<string[]> {
  const users = [await operatorEntry('alice', 'bench operator password'), await operatorEntry('bob', 'bench operator password 2')].join(',');
  const desk = await startServe('receiver', { WEBHOOK_SECRET: secret, DATABASE_URL: `file:${join(dir, 'sign-in.db')}`, OPERATOR_USERS: users, LOG_LEVEL: 'error' });
  try {
    const flooder = spawn(process.execPath, ['-e', FLOODER, `${desk.url}/desk/login`, String(FLOOD)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let statuses = '';
    flooder.stdout.on('data', (d: Buffer) => (statuses += d));
    const done = new Promise<void>((resolve) => flooder.on('exit', () => resolve()));
    // Let the flood's connections open before the first intake.
    await new Promise((r) => setTimeout(r, 150));
    const times: number[] = [];
    let floodOver = false;
    void done.then(() => (floodOver = true));
    for (let i = 0; i < INTAKES && !floodOver; i++) {
      const started = performance.now();
      const res = await fetch(`${desk.url}/api/v1/webhooks/onboard`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-webhook-secret': secret }, body: uniqueEvent('flood') });
      await res.arrayBuffer();
      if (res.status !== 201) throw new Error(`intake during the flood answered ${res.status}`);
      times.push(performance.now() - started);
    }
    await done;
    const counts = (JSON.parse(statuses) as number[]).reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});
    const worst = Math.max(...times);
    return [
      `intake during a ${FLOOD}-attempt sign-in flood: ${times.length} intakes, p50 ${quantile(times, 0.5).toFixed(1)} ms, max ${worst.toFixed(1)} ms; flood answered ${JSON.stringify(counts)}`,
      `  ${worst <= TARGET_MS ? 'MET ' : 'MISS'} every intake during the flood answered ≤ ${TARGET_MS} ms`.padEnd(60) + ` ${worst.toFixed(0)} ms`,
    ];
  } finally {
    await desk.stop();
  }
}
