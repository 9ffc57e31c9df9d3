/**
 * WORKERD_PROCESSES: several workerd processes accepting on one socket the host opened. With two,
 * the function serves, rides out the crash of one process (the other answers; the host restarts
 * it), and stops cleanly, leaving no process behind.
 */
import { EMITTER_AUTH } from '../support/test-env';
import { describe, expect, it } from 'vitest';
import { makeEvent } from '../support/factories';
import { processesNamed } from '../../scripts/support/processes';
import { serveFixture } from '../support/serve-fixture';
import { waitFor } from '../support/wait';

const SECRET = `procs-${crypto.randomUUID()}-${crypto.randomUUID()}`;
const fx = serveFixture('processes');

/**
 * Delivers `count` events at once. A connection the crashed process held is reset, as it would be
 * for any client: the request is retried once on a new connection, as the emitter would retry.
 */
async function deliverMany(url: string, count: number): Promise<number[]> {
  const once = async (body: string) => {
    const res = await fetch(`${url}/api/v1/webhooks/onboard`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-webhook-secret': SECRET },
      body,
    });
    await res.text();
    return res.status;
  };
  return Promise.all(
    Array.from({ length: count }, async () => {
      const body = JSON.stringify(makeEvent());
      return once(body).catch(() => once(body));
    }),
  );
}


describe('WORKERD_PROCESSES=2 (black box)', () => {
  it('serves from two workerd processes on one socket, survives the crash of one, and stops cleanly', async () => {
    const proc = await fx.serve('receiver', { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${fx.file('two.db')}`, WORKERD_PROCESSES: '2' });
    const workerd = () => processesNamed(proc.child.pid!, 'workerd');
    await waitFor(() => workerd().length === 2);
    expect(new Set(await deliverMany(proc.url, 60))).toEqual(new Set([201]));

    const [victim] = workerd();
    process.kill(victim!, 'SIGKILL');
    // The other process keeps answering while the host restarts the one that died.
    expect(new Set(await deliverMany(proc.url, 30))).toEqual(new Set([201]));
    await waitFor(() => workerd().length === 2 && !workerd().includes(victim!));
    expect(new Set(await deliverMany(proc.url, 30))).toEqual(new Set([201]));
    expect(fx.query<{ n: number }>('two.db', 'SELECT count(*) AS n FROM tickets')[0]!.n).toBe(120);

    const all = processesNamed(proc.child.pid!, '');
    expect(await proc.stop()).toBe(0);
    const alive = all.filter((p) => {
      try {
        process.kill(p, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
  }, 60_000);

  it('runs the emitter with two processes too: every accepted event delivered once', async () => {
    const ops = await fx.serve('receiver', { WEBHOOK_SECRET: SECRET, DATABASE_URL: `file:${fx.file('ops.db')}` });
    const emitter = await fx.serve('emitter', {
      OPS_WEBHOOK_URL: `${ops.url}/api/v1/webhooks/onboard`,
      OPS_WEBHOOK_SECRET: SECRET,
      SWEEP_INTERVAL_MS: '200',
      DATABASE_URL: `file:${fx.file('emitter.db')}`,
      WORKERD_PROCESSES: '2',
    });
    await waitFor(() => processesNamed(emitter.child.pid!, 'workerd').length === 2);
    const statuses = await Promise.all(
      Array.from({ length: 40 }, async () => (await fetch(`${emitter.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...EMITTER_AUTH }, body: JSON.stringify(makeEvent()) })).status),
    );
    expect(new Set(statuses)).toEqual(new Set([202]));
    await waitFor(() => fx.query<{ n: number }>('emitter.db', "SELECT count(*) AS n FROM outbox_messages WHERE status = 'delivered'")[0]!.n === 40);
    expect(fx.query<{ n: number }>('ops.db', 'SELECT count(*) AS n FROM webhook_events')[0]!.n).toBe(40);
  }, 60_000);
});
