/**
 * `npm run dev` as a developer uses it (black box): both functions under wrangler dev against
 * real .data files, an edit under functions/ live without a restart, the data still there after
 * the reload, and one Ctrl-C stopping everything. It runs on a copy of the sources (node_modules
 * linked), so editing a route cannot disturb the other tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../host/project.mjs';
import { makeEvent } from '../support/factories';
import { queryFile } from '../../scripts/support/sqlite-read';
import { waitFor } from '../support/wait';

const COPIED = ['functions', 'db', 'host', 'scripts', 'wrangler.toml', 'package.json', 'tsconfig.json'];
/** The file edited in the reload test: the sign-in page's heading (HTML, so no API document is involved). */
const EDITED = 'functions/operator-area/login-page.tsx';

let work: string;
let dev: ChildProcess;
let output = '';
let exited: Promise<number | null>;
const urls = { desk: '', console: '' };
let login = { name: '', password: '' };

/** The emitter's API token, which the loop made beside its database as the host does. */
const apiAuth = () => ({ authorization: `Bearer ${readFileSync(join(work, '.data/emitter.api-token'), 'utf8').trim()}` });

/** The origin of a desk/console address the banner printed. */
const originOf = (url: string) => new URL(url).origin;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ops-webhook-dev-'));
  for (const entry of COPIED) cpSync(join(ROOT, entry), join(work, entry), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'));
  dev = spawn(process.execPath, ['--import', 'tsx', 'scripts/dev.ts'], {
    cwd: work,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, RECEIVER_PORT: '0', EMITTER_PORT: '0', MIN_FREE_DISK_MB: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  dev.stdout!.on('data', (chunk: Buffer) => (output += chunk));
  dev.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  exited = new Promise((resolve) => dev.on('exit', (code) => resolve(code)));
  await waitFor(() => /Sign in as/.test(output), 90_000, 200).catch(() => {
    throw new Error(`npm run dev did not come up:\n${output}`);
  });
  urls.desk = /Ops desk \(receiver\):\s+(\S+)/.exec(output)![1]!;
  urls.console = /Delivery console \(emitter\):\s+(\S+)/.exec(output)![1]!;
  const [, name, password] = /Sign in as "([^"]+)" with password "([^"]+)"/.exec(output)!;
  login = { name: name!, password: password! };
}, 120_000);

afterAll(async () => {
  if (dev?.exitCode === null) {
    dev.kill('SIGKILL');
    await exited;
  }
  rmSync(work, { recursive: true, force: true });
});

describe('npm run dev (black box)', () => {
  it('serves both functions against .data files and delivers an event from the emitter to the receiver', async () => {
    const event = makeEvent();
    const accepted = await fetch(`${originOf(urls.console)}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...apiAuth() },
      body: JSON.stringify(event),
    });
    expect(accepted.status).toBe(202);
    const rows = () => queryFile<{ n: number }>(join(work, '.data/ops.db'), `SELECT count(*) AS n FROM webhook_events WHERE session_id = '${event.session_id}'`);
    await waitFor(() => rows()[0]!.n === 1, 30_000);
    // The settings file handed to Wrangler holds the run's secrets: only its owner may read it.
    expect(statSync(join(work, '.data/dev/receiver/.dev.vars')).mode & 0o077).toBe(0);
  });

  it('signs in the one-run operator (its hash, with its $ signs, reaches the worker intact)', async () => {
    const origin = originOf(urls.desk);
    const res = await fetch(`${origin}/desk/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams({ username: login.name, password: login.password }).toString(),
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('set-cookie')).toMatch(/^ops_desk_session=/);
  });

  it('makes an edit to a route live without a restart, and keeps the data across the reload', async () => {
    const page = () => fetch(`${originOf(urls.desk)}/desk/login`).then((res) => res.text());
    expect(await page()).toContain('Sign in to the');
    const file = join(work, EDITED);
    const source = readFileSync(file, 'utf8');
    const edited = source.replace('<h1>Sign in to the {options.product}</h1>', '<h1>Sign in (edited) to the {options.product}</h1>');
    expect(edited, `${EDITED} no longer holds the heading this test edits`).not.toBe(source);
    writeFileSync(file, edited);
    const savedAt = Date.now();
    await waitFor(async () => (await page()).includes('Sign in (edited) to the'), 30_000);
    // The figure is docs/development.md's (Developer loop); the test only requires that the edit went live.
    console.log(`dev loop: edit live after ${Date.now() - savedAt} ms`);
    const deliveries = (await (await fetch(`${originOf(urls.console)}/v1/deliveries`, { headers: apiAuth() })).json()) as { deliveries: unknown[] };
    expect(deliveries.deliveries).toHaveLength(1);
    // Both workers rebuild (the page is shared; each on its own clock), and both still serve from their files.
    await waitFor(async () => (await (await fetch(`${originOf(urls.console)}/console/login`)).text()).includes('Sign in (edited) to the'), 30_000);
  });

  it('stops everything on one Ctrl-C', async () => {
    dev.kill('SIGINT');
    expect(await exited).toBe(0);
    await expect(fetch(`${originOf(urls.desk)}/healthz`)).rejects.toThrow();
    await expect(fetch(`${originOf(urls.console)}/healthz`)).rejects.toThrow();
    // The databases were closed: no host marks them as served any more.
    expect(() => statSync(join(work, '.data/ops.db.serving'))).toThrow();
  });
});
