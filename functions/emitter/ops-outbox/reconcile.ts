/**
 * Reconciliation: the emitter owns both ends of the link, so it can check that what it delivered
 * is still on record at the receiver (after the receiver was restored from a backup, a file put
 * back, a bad disk). Every RECONCILE_INTERVAL it asks POST …/receipts about its messages
 * delivered within RECONCILE_WINDOW, newest first, one page in flight at a time, and puts the
 * ones the receiver does not know back in line: the sweep delivers them again, in each session's
 * order, and the receiver records them anew (what it already had stays a duplicate). A pass that
 * cannot reach the receiver changes nothing and is tried again at the next interval.
 */
import { getState, RECONCILE_LAST, RECONCILE_LAST_SUCCESS_AT, RECONCILE_STARTED_AT, setState } from '../../../db/emitter/state';
import { deliveredPage, requeueMissing } from '../../../db/emitter/reconcile';
import type { DeliveryDeps } from './deliver';
import { describeFetchError, opsRequest } from './ops-request';

/** Messages asked about per receipts request (the receiver's limit). */
const PAGE_SIZE = 500;
/** Most pages one pass asks about (500 × 40 = 20,000 messages, far beyond a week of onboardings). */
const MAX_PAGES = 40;
const DAY_MS = 86_400_000;

export interface ReconcileSummary {
  /** When the pass ran (ISO-8601). */
  at: string;
  ok: boolean;
  checked: number;
  missing: number;
  requeued: number;
  /** Why it failed (nothing was changed then). */
  error?: string;
}

/** One page's question to the receiver: the ids it has no record of. */
async function askReceipts(deps: DeliveryDeps, page: { id: string; event: string; sessionId: string; domain: string }[]): Promise<string[]> {
  const { config } = deps;
  const body = JSON.stringify({ events: page.map((m) => ({ id: m.id, event: m.event, session_id: m.sessionId, domain: m.domain })) });
  // The receipts endpoint sits beside the intake one (…/webhooks/onboard → …/webhooks/receipts).
  const request = opsRequest(config, { url: new URL('receipts', config.OPS_WEBHOOK_URL), messageId: `rcpt_${crypto.randomUUID()}`, body, at: deps.now() });
  const response = await deps.fetch(request).catch((err: Error) => {
    throw new Error(describeFetchError(err, request.url, config.OPS_WEBHOOK_TIMEOUT_MS));
  });
  if (response.status !== 200) throw new Error(`the receiver answered ${response.status} to receipts`);
  const answer = (await response.json()) as { missing?: unknown };
  if (!Array.isArray(answer.missing) || !answer.missing.every((id) => typeof id === 'string')) throw new Error('the receiver answered receipts without a list of missing ids');
  const asked = new Set(page.map((m) => m.id));
  return (answer.missing as string[]).filter((id) => asked.has(id));
}

/** One pass, now: every page, then the requeue of what is missing (nothing changes if any page fails). */
export async function reconcile(deps: DeliveryDeps): Promise<ReconcileSummary> {
  const { db, config } = deps;
  const started = deps.now();
  const window = Math.min(config.RECONCILE_WINDOW, config.RETENTION_DAYS * DAY_MS);
  let summary: ReconcileSummary;
  try {
    const missing: string[] = [];
    let checked = 0;
    let beforeSeq: number | undefined;
    for (let pages = 0; pages < MAX_PAGES; pages++) {
      const page = await deliveredPage(db, started - window, PAGE_SIZE, beforeSeq);
      if (page.length === 0) break;
      missing.push(...(await askReceipts(deps, page)));
      checked += page.length;
      beforeSeq = page.at(-1)!.seq;
      if (page.length < PAGE_SIZE) break;
    }
    const requeued = await requeueMissing(db, missing, checked, deps.now());
    summary = { at: new Date(started).toISOString(), ok: true, checked, missing: missing.length, requeued };
    await setState(db, RECONCILE_LAST_SUCCESS_AT, String(started));
    if (missing.length > 0) deps.logger.warn('reconciliation: the receiver had no record of delivered events; they are sent again', { checked, missing: missing.length, requeued, ids: missing.slice(0, 20) });
    else deps.logger.info('reconciliation: every delivered event is on record at the receiver', { checked });
  } catch (err) {
    summary = { at: new Date(started).toISOString(), ok: false, checked: 0, missing: 0, requeued: 0, error: (err as Error).message.slice(0, 300) };
    deps.logger.warn('reconciliation failed; nothing was changed, it runs again at the next interval', { error: summary.error });
  }
  await setState(db, RECONCILE_LAST, JSON.stringify(summary));
  return summary;
}

/** Runs a pass when RECONCILE_INTERVAL has passed since the last one started (the sweep calls this every time). */
export async function reconcileIfDue(deps: DeliveryDeps): Promise<ReconcileSummary | undefined> {
  const interval = deps.config.RECONCILE_INTERVAL;
  if (interval === 0) return undefined;
  const now = deps.now();
  const last = Number((await getState(deps.db, RECONCILE_STARTED_AT)) ?? 0);
  if (now - last < interval) return undefined;
  await setState(deps.db, RECONCILE_STARTED_AT, String(now));
  return reconcile(deps);
}

/** The last pass's summary, if any, and when one last succeeded. */
export async function lastReconciliation(deps: Pick<DeliveryDeps, 'db'>): Promise<{ last?: ReconcileSummary; lastSuccessAt?: number }> {
  const [last, success] = await Promise.all([getState(deps.db, RECONCILE_LAST), getState(deps.db, RECONCILE_LAST_SUCCESS_AT)]);
  return { last: last ? (JSON.parse(last) as ReconcileSummary) : undefined, lastSuccessAt: success ? Number(success) : undefined };
}
