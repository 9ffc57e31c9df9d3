/**
 * The full run's report: the table of rows beside the ceiling, the figures the targets are
 * checked against, the targets met or missed, and what goes into bench/results/latest.json.
 */
import { cpus, totalmem } from 'node:os';
import { costLines, costTargets, type CostRow } from './cost';
import { quantile, type LoadResult } from './measure';
import type { PageTimings } from './pages';
import type { backlogDrain, baseline, emitterWithOps, receiverTraffic } from './scenarios';

export interface Measured {
  ceiling: LoadResult;
  baseline: Awaited<ReturnType<typeof baseline>>;
  receiver: Awaited<ReturnType<typeof receiverTraffic>>;
  emitter: Awaited<ReturnType<typeof emitterWithOps>>;
  drain: Awaited<ReturnType<typeof backlogDrain>>;
  pages: PageTimings[];
  signInFlood: string[];
  people: string[];
  backupIntake: string[];
  cost: CostRow[];
}

const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
const tenths = (n: number) => Math.round(n * 10) / 10;
const pad = (s: string | number, n: number) => String(s).padEnd(n);

/** The operator pages' lines (also printed alone by `npm run bench -- pages`). */
export function pageLines(pages: PageTimings[]): string[] {
  return [
    `operator pages, ${'10,000'} tickets / messages, 200 sequential GETs each (ms):`,
    ...pages.map((p) => `  ${p.page.padEnd(44)} p50 ${String(p.p50).padEnd(6)} p95 ${String(p.p95).padEnd(6)} p99 ${p.p99}`),
  ];
}

/** A target's line: MET or MISS, its name, the figure. */
export function targetLine([name, ok, figure]: readonly [string, boolean, string]): string {
  return `  ${ok ? 'MET ' : 'MISS'} ${pad(name, 48)} ${figure}`;
}

/** The figures the targets are checked against. */
function checksOf(m: Measured) {
  const { unique } = m.receiver;
  const { e2e, e2eLoaded } = m.emitter;
  return {
    receiver_vs_ceiling: ratio(unique.rps, m.ceiling.rps),
    receiver_vs_baseline: ratio(unique.rps, m.baseline.result.rps),
    receiver_p99_ms: unique.p99,
    receiver_zero_loss: m.receiver.uniqueRows === unique.ok2xx && m.receiver.uniqueTickets === unique.ok2xx,
    emitter_accept_p99_ms: m.emitter.accept.p99,
    e2e_p50_ms: quantile(e2e, 0.5),
    e2e_p95_ms: quantile(e2e, 0.95),
    e2e_p99_ms: quantile(e2e, 0.99),
    e2e_loaded_p50_ms: quantile(e2eLoaded, 0.5),
    e2e_loaded_p95_ms: quantile(e2eLoaded, 0.95),
    e2e_loaded_p99_ms: quantile(e2eLoaded, 0.99),
    drain_seconds: tenths(m.drain.seconds),
    drain_after_first_delivery_seconds: tenths(m.drain.afterFirstDelivery),
    drain_all_delivered_once: m.drain.rows === 5000 && m.drain.repeats === 0,
    pages_p95_ms: Object.fromEntries(m.pages.map((p) => [p.page, p.p95])),
    rss_mb: {
      receiver: m.receiver.rssMb,
      emitter: Math.max(m.emitter.emitterRssMb, m.drain.rssMb),
      receiver_with_emitter: m.emitter.opsRssMb,
      baseline: m.baseline.rssMb,
    },
  };
}

/** The targets, each with whether it is met and the figure that says so. */
function targetsOf(m: Measured, checks: ReturnType<typeof checksOf>) {
  const { unique } = m.receiver;
  const peakRss = Math.max(m.receiver.rssMb, m.emitter.emitterRssMb, m.drain.rssMb, m.emitter.opsRssMb);
  return [
    ['receiver ≥ 40 % of ceiling', checks.receiver_vs_ceiling >= 0.4, `${Math.round(checks.receiver_vs_ceiling * 100)} %`],
    ['receiver ≥ 1.5× baseline', checks.receiver_vs_baseline >= 1.5, `${checks.receiver_vs_baseline}×`],
    ['receiver p99 ≤ 25 ms at 32 connections', unique.p99 <= 25, `${unique.p99} ms`],
    ['receiver zero loss (rows = tickets = 2xx)', checks.receiver_zero_loss, `${m.receiver.uniqueRows} rows, ${m.receiver.uniqueTickets} tickets, ${unique.ok2xx} 2xx`],
    ['emitter accept p99 ≤ 10 ms', m.emitter.accept.p99 <= 10, `${m.emitter.accept.p99} ms`],
    ['end-to-end p95 ≤ 50 ms (10 events/s)', checks.e2e_p95_ms <= 50, `${checks.e2e_p95_ms} ms (p50 ${checks.e2e_p50_ms}, p99 ${checks.e2e_p99_ms})`],
    ['backlog of 5,000 drained ≤ 30 s after Ops returns', m.drain.seconds <= 30, `${checks.drain_seconds} s (${checks.drain_after_first_delivery_seconds} s after the first delivery)`],
    ['backlog delivered once each', checks.drain_all_delivered_once, `${m.drain.rows} rows, ${m.drain.repeats} repeat deliveries`],
    ['operator pages p95 ≤ 50 ms with 10,000 rows', m.pages.every((p) => p.p95 <= 50), `slowest p95 ${Math.max(...m.pages.map((p) => p.p95))} ms`],
    ...costTargets(m.cost),
    ['peak RSS ≤ 300 MB per serve process', peakRss <= 300, `receiver ${m.receiver.rssMb} MB, emitter ${checks.rss_mb.emitter} MB`],
  ] as const;
}

/** The printed report and the JSON record of a full run that took `seconds`. */
export function report(m: Measured, seconds: number): { text: string; record: object } {
  const rows = [
    { name: '1 ceiling: trivial worker, workerd', ...m.ceiling },
    { name: '2 baseline: receiver in plain Node', ...m.baseline.result },
    { name: '3 receiver: unique events', ...m.receiver.unique },
    { name: '4 receiver: duplicate deliveries', ...m.receiver.duplicate },
    { name: '5 receiver: rejected (401)', ...m.receiver.rejected },
    { name: '6 emitter: accept (Ops up)', ...m.emitter.accept },
  ];
  const checks = checksOf(m);
  const targets = targetsOf(m, checks);
  const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memory_gb: Math.round(totalmem() / 2 ** 30), node: process.version, sqlite_synchronous: 'FULL' };
  const lines = [
    `ops-webhook bench — ${new Date().toISOString()} — ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}`,
    `${pad('row', 40)}${pad('req/s', 9)}${pad('p50 ms', 8)}${pad('p99 ms', 8)}${pad('2xx', 8)}${pad('non-2xx', 9)}vs ceiling`,
    ...rows.map((r) => `${pad(r.name, 40)}${pad(r.rps, 9)}${pad(r.p50, 8)}${pad(r.p99, 8)}${pad(r.ok2xx, 8)}${pad(r.non2xx, 9)}${ratio(r.rps, m.ceiling.rps)}`),
    `7 backlog drain: 5,000 accepted in ${m.drain.accepted.seconds} s while Ops was down; all delivered ${checks.drain_seconds} s after Ops started`,
    `end-to-end accept → committed at Ops, 200 events at 10/s: p50 ${checks.e2e_p50_ms} ms, p95 ${checks.e2e_p95_ms} ms, p99 ${checks.e2e_p99_ms} ms`,
    `end-to-end, 400 events flat out with 4 in flight (${m.emitter.paced.rps} req/s): p50 ${checks.e2e_loaded_p50_ms} ms, p95 ${checks.e2e_loaded_p95_ms} ms, p99 ${checks.e2e_loaded_p99_ms} ms`,
    `8 peak RSS (serve process + workerd): receiver ${m.receiver.rssMb} MB, emitter ${checks.rss_mb.emitter} MB, receiver fed by emitter ${m.emitter.opsRssMb} MB; baseline Node ${m.baseline.rssMb} MB`,
    ...pageLines(m.pages),
    ...m.signInFlood,
    ...m.people,
    ...m.backupIntake,
    ...costLines(m.cost),
    '',
    'targets:',
    ...targets.map(targetLine),
    `(${seconds} s)`,
  ];
  return {
    text: lines.join('\n'),
    record: { at: new Date().toISOString(), machine, rows, checks, cost: m.cost, targets: targets.map(([name, met, figure]) => ({ name, met, figure })) },
  };
}
