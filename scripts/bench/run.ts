/**
 * `npm run bench`: measures both functions on this machine, side by side in one run, on
 * 127.0.0.1 with ephemeral ports and temporary databases, and compares them with a ceiling
 * (a trivial worker under the same workerd) and a baseline (the same receiver in plain Node).
 * Prints one table, checks the performance targets, and writes bench/results/latest.json.
 * A mode (`pages`, `sign-in`, `people`, `backup`, `cost`, `profile`) runs one part alone.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFunctions } from '../../host/build';
import { ROOT } from '../../host/project.mjs';
import { costLines, costTargets, measureCost } from './cost';
import { measurePages } from './pages';
import { profileReceiver } from './profile';
import { pageLines, report, targetLine } from './report';
import { backlogDrain, baseline, ceiling, emitterWithOps, receiverTraffic, type BenchContext } from './scenarios';
import { measureSignInFlood } from './sign-in-flood';
import { measureBackupIntake } from './backup-intake';
import { measurePeople } from './people';

const ctx: BenchContext = {
  dir: mkdtempSync(join(tmpdir(), 'ops-webhook-bench-')),
  secret: `bench-${crypto.randomUUID()}-${crypto.randomUUID()}`,
};

const say = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

/** The full run: every scenario in turn, then the report. */
async function main(): Promise<void> {
  const started = Date.now();
  say('building bundles');
  await buildFunctions(['receiver', 'emitter']);
  say('1/7 ceiling: trivial worker under workerd');
  const ceil = await ceiling(ctx);
  say('2/7 baseline: same receiver in plain Node (@hono/node-server + @libsql/client file:)');
  const base = await baseline(ctx);
  say('3-5/7 receiver under workerd: unique, duplicate, rejected');
  const receiver = await receiverTraffic(ctx);
  say('6/7 emitter accept with Ops up, then end-to-end latency');
  const emitter = await emitterWithOps(ctx);
  say('7/7 backlog drain: 5,000 events accepted while Ops is down, then Ops starts');
  const drain = await backlogDrain(ctx);
  say('operator pages with 10,000 tickets and messages');
  const pages = await measurePages(ctx.dir, ctx.secret);
  say('intake during a sign-in flood');
  const signInFlood = await measureSignInFlood(ctx.dir, ctx.secret);
  say('from the portal to a person: the live desk and the mail server');
  const people = await measurePeople(ctx.dir, ctx.secret);
  say('intake during a backup of a 1 GB database');
  const backupIntake = await measureBackupIntake(ctx.dir, ctx.secret);
  say('cost per event: design floors, baseline and receiver at FULL and NORMAL');
  const cost = await measureCost(ctx.dir, ctx.secret);

  const { text, record } = report({ ceiling: ceil, baseline: base, receiver, emitter, drain, pages, signInFlood, people, backupIntake, cost }, Math.round((Date.now() - started) / 1000));
  console.log(text);
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/latest.json'), `${JSON.stringify(record, null, 2)}\n`);
}

/** `npm run bench -- pages`: only the operator pages (about 30 s). */
async function pagesOnly(): Promise<void> {
  await buildFunctions(['receiver', 'emitter']);
  console.log(pageLines(await measurePages(ctx.dir, ctx.secret)).join('\n'));
}

/** `npm run bench -- cost`: only the cost-per-event comparison (about a minute). */
async function costOnly(): Promise<void> {
  await buildFunctions(['receiver']);
  const only = process.argv[3]?.toUpperCase();
  if (only !== undefined && only !== 'FULL' && only !== 'NORMAL') throw new Error('usage: npm run bench -- cost [FULL|NORMAL]');
  const rows = await measureCost(ctx.dir, ctx.secret, only);
  console.log([...costLines(rows), '', 'targets:', ...costTargets(rows).map(targetLine)].join('\n'));
}

const MODES: Record<string, () => Promise<void>> = {
  pages: pagesOnly,
  'sign-in': async () => {
    await buildFunctions(['receiver']);
    console.log((await measureSignInFlood(ctx.dir, ctx.secret)).join('\n'));
  },
  people: async () => {
    await buildFunctions(['receiver', 'emitter']);
    console.log((await measurePeople(ctx.dir, ctx.secret)).join('\n'));
  },
  cost: costOnly,
  backup: async () => {
    await buildFunctions(['receiver']);
    console.log((await measureBackupIntake(ctx.dir, ctx.secret)).join('\n'));
  },
  // Profiles stay on disk for DevTools: this mode keeps its folder.
  profile: async () => {
    await buildFunctions(['receiver']);
    console.log((await profileReceiver(ctx.dir, ctx.secret, process.argv[3]?.toUpperCase() === 'NORMAL' ? 'NORMAL' : 'FULL')).join('\n'));
  },
};

(MODES[process.argv[2] ?? ''] ?? main)()
  .then(() => process.argv[2] !== 'profile' && rmSync(ctx.dir, { recursive: true, force: true }))
  .catch((err: Error) => {
    console.error(err);
    process.exit(1);
  });
