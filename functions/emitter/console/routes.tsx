/**
 * The delivery console (GET /console): the outbox, for people on VM112. The backlog at a glance,
 * deliveries with filters, each message's frozen body and every attempt, and the actions:
 * redeliver one, or every dead message since a time. Served by this worker, one or two database
 * round trips per page.
 */
import { deliveryDeps, lastReconciliation, reconcile, type ReconcileSummary, redeliverMany, redeliverOne } from '../ops-outbox';
import { z } from 'zod';
import { consolePage } from '../../../db/emitter/console';
import { getMessageWithAttempts } from '../../../db/emitter/deliveries';
import { DELIVERY_STATUSES, type DeliveryAttempt, type OutboxMessage } from '../../../db/emitter/schema';
import { readClockSkew } from '../../../db/emitter/state';
import { withDatabase } from '../../platform/database-errors';
import { readForm } from '../../platform/http/form-request';
import { age, Badge, BarChart, DataTable, ErrorPage, Facts, FilterForm, Layout, NotFoundPage, operatorArea, Pager, queryString, renderPage, when } from '../../operator-area';
import type { EmitterApp } from '../types';

const BASE = '/console';
const PRODUCT = 'Delivery console';
const PAGE_SIZE = 50;

const LIST_QUERY = z.object({
  status: z.enum(DELIVERY_STATUSES).optional().catch(undefined),
  q: z.string().trim().max(253).optional().catch(undefined),
  cursor: z.coerce.number().int().positive().optional().catch(undefined),
  done: z.string().max(100).optional().catch(undefined),
});

/** `datetime-local` gives no zone; the console says UTC and reads it as UTC. */
const BULK = z.object({ since: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/).optional().or(z.literal('')) });

export const consoleArea = operatorArea<EmitterApp>({ base: BASE, product: PRODUCT, cookie: 'ops_console_session' });

function Notice({ done }: { done?: string }) {
  if (!done) return null;
  const text =
    done === 'requeued'
      ? 'Requeued: the message goes out again now.'
      : done === 'reconciled'
        ? 'Reconciled with Ops: the result is below.'
        : /^\d+$/.test(done)
          ? `Requeued ${done} dead message(s).`
          : null;
  return text ? (
    <p class="notice" role="status">
      {text}
    </p>
  ) : null;
}

/** The last reconciliation with Ops (when, how many checked, how many missing and sent again, or why it failed), and a button to run one now. */
function Reconciliation({ last }: { last?: ReconcileSummary }) {
  const line = !last
    ? 'None yet: the first runs within RECONCILE_INTERVAL of the start (unless it is 0).'
    : last.ok
      ? `Last ${when(Date.parse(last.at))}: ${last.checked} delivered message(s) checked, ${last.missing} missing at Ops and sent again (${last.requeued} requeued).`
      : `Last ${when(Date.parse(last.at))}: failed (${last.error ?? 'unknown error'}); nothing was changed, it runs again at the next interval.`;
  return (
    <section aria-labelledby="reconciliation">
      <h2 id="reconciliation">Reconciliation with Ops</h2>
      <p id="reconciliation-last" class={last && !last.ok ? 'notice error' : undefined}>
        {line}
      </p>
      <form method="post" action={`${BASE}/reconcile`}>
        <button type="submit">Reconcile now</button>
      </form>
    </section>
  );
}

consoleArea.get('/', async function consoleHome(c) {
  const query = LIST_QUERY.parse(c.req.query());
  const now = c.var.services.now();
  const [page, { last: reconciled }, clockSkew] = await withDatabase(() =>
    Promise.all([
      consolePage(c.var.services.db, { status: query.status, search: query.q || undefined, before: query.cursor, limit: PAGE_SIZE }, now),
      lastReconciliation(deliveryDeps(c)),
      readClockSkew(c.var.services.db),
    ]),
  );
  const { backlog } = page;
  const last = page.items.at(-1);
  const keep = { status: query.status, q: query.q };
  return renderPage(
    c,
    <Layout base={BASE} product={PRODUCT} title="Deliveries" operator={c.var.operator}>
      <h1>Deliveries to Ops</h1>
      <Notice done={query.done} />
      {clockSkew ? (
        <p id="clock-skew" class="notice error">
          Clock skew: Ops refuses this emitter's signatures as too old or too new (since {clockSkew.at}
          {clockSkew.skew_s === null ? '' : `; its clock is ${Math.abs(clockSkew.skew_s)} s ${clockSkew.skew_s >= 0 ? 'ahead' : 'behind'}`}). Nothing is lost: deliveries wait. Synchronise both clocks (timedatectl set-ntp true).
        </p>
      ) : null}
      <ul class="counts" aria-label="Backlog">
        <li>
          Pending<strong>{String(backlog.pending)}</strong>
        </li>
        <li>
          Due now<strong>{String(backlog.due)}</strong>
        </li>
        <li>
          Dead<strong id="dead-count">{String(backlog.dead)}</strong>
        </li>
        <li>
          Skipped<strong>{String(backlog.skipped)}</strong>
        </li>
        <li>
          Oldest pending<strong>{backlog.oldestPendingAt === null ? '\u2014' : age(now - backlog.oldestPendingAt)}</strong>
        </li>
        <li>
          Ops<strong>{clockSkew ? 'clock skew' : page.opsReachable ? 'reachable' : 'unreachable'}</strong>
        </li>
        <li>
          Last delivery<strong>{page.lastDeliveredAt === null ? '\u2014' : `${age(now - page.lastDeliveredAt)} ago`}</strong>
        </li>
      </ul>
      <Reconciliation last={reconciled} />
      <FilterForm
        action={BASE}
        search={query.q}
        selects={[{ name: 'status', label: 'Status', choices: DELIVERY_STATUSES.map((s) => [s, s]), selected: query.status }]}
      />
      <DataTable caption="Messages, newest first" columns={['Event', 'Domain', 'Status', 'Attempts', 'Accepted']} empty="No messages match." rows={page.items.map((m: OutboxMessage) => (
          <tr>
            <td>
              <a href={`${BASE}/messages/${m.id}`}>{m.eventType}</a>
            </td>
            <td class="subject">{m.domain}</td>
            <td>
              <Badge value={m.status} />
              {m.lastStatus !== null && m.status !== 'delivered' ? <span class="muted"> HTTP {String(m.lastStatus)}</span> : null}
            </td>
            <td>{String(m.attempts)}</td>
            <td>{when(m.createdAt)}</td>
          </tr>
        ))} />
      <Pager
        newest={query.cursor ? `${BASE}${queryString(keep)}` : undefined}
        older={page.hasMore && last ? `${BASE}${queryString({ ...keep, cursor: last.seq })}` : undefined}
        olderLabel="Older messages"
      />
      <h2>Redeliver dead messages</h2>
      <form class="filters" method="post" action={`${BASE}/redeliver-dead`}>
        <label>
          Accepted since (UTC, empty: all)
          <input name="since" type="datetime-local" />
        </label>
        <button type="submit">Redeliver dead messages</button>
      </form>
      <BarChart id="delivered" title="Deliveries per hour, last 24 hours (UTC)" unit="deliveries" bars={page.deliveredPerHour.map((h) => ({ label: h.hour, value: h.value }))} />
      <BarChart id="latency" title="Average attempt latency per hour, last 24 hours (ms)" unit="ms" bars={page.latencyPerHour.map((h) => ({ label: h.hour, value: h.value }))} />
    </Layout>,
  );
});

function AttemptsTable({ attempts }: { attempts: DeliveryAttempt[] }) {
  return (
    <DataTable caption="Attempts, oldest first" columns={['#', 'Time', 'Took', 'Answer', 'Outcome']} empty="No attempt yet." rows={attempts.map((a) => (
        <tr>
          <td>{String(a.attemptNo)}</td>
          <td>
            {when(a.startedAt)} <span class="muted">({a.trigger})</span>
          </td>
          <td>{`${a.durationMs} ms`}</td>
          <td class="subject">
            {a.statusCode !== null ? `HTTP ${a.statusCode}` : (a.error ?? '\u2014')}
            {a.responseBody ? <pre>{a.responseBody.slice(0, 300)}</pre> : null}
          </td>
          <td>
            <Badge value={a.outcome === 'retry' ? 'pending' : a.outcome} />
          </td>
        </tr>
      ))} />
  );
}

consoleArea.get('/messages/:id', async function messagePage(c) {
  const found = await withDatabase(() => getMessageWithAttempts(c.var.services.db, c.req.param('id')));
  if (!found) return renderPage(c, <NotFoundPage base={BASE} product={PRODUCT} operator={c.var.operator} what="message" back="Back to the deliveries" />, 404);
  const { message, attempts } = found;
  let body = message.payload;
  try {
    body = JSON.stringify(JSON.parse(message.payload), null, 2);
  } catch {
    // Shown as stored.
  }
  return renderPage(
    c,
    <Layout base={BASE} product={PRODUCT} title={message.id} operator={c.var.operator}>
      <p>
        <a href={BASE}>All deliveries</a>
      </p>
      <h1>
        {message.eventType} · {message.domain}
      </h1>
      <Notice done={c.req.query('done')} />
      {attempts.some((a) => a.trigger === 'reconcile') || message.requeuedBy === 'reconcile' ? (
        <p class="notice" id="repaired">
          Repaired by reconciliation: Ops had no record of this event (a restore, or a loss on its side), so it was sent again.
        </p>
      ) : null}
      <Facts
        items={[
          ['Message', message.id],
          ['Status', <Badge value={message.status} />],
          ['Session', message.sessionId],
          ['Accepted', when(message.createdAt)],
          ['Delivered', when(message.deliveredAt)],
          ['Next attempt', message.status === 'pending' ? when(message.nextAttemptAt) : '\u2014'],
          ['Last error', message.lastError ?? '\u2014'],
        ]}
      />
      <div class="actions">
        <form method="post" action={`${BASE}/messages/${message.id}/redeliver`}>
          <button type="submit">Redeliver</button>
        </form>
      </div>
      <h2>Body as sent</h2>
      <pre>{body}</pre>
      <h2>Attempts</h2>
      <AttemptsTable attempts={attempts} />
    </Layout>,
  );
});

consoleArea.post('/messages/:id/redeliver', async function redeliverFromConsole(c) {
  const id = c.req.param('id');
  if (!(await redeliverOne(deliveryDeps(c), id, (work) => c.executionCtx.waitUntil(work)))) {
    return renderPage(c, <NotFoundPage base={BASE} product={PRODUCT} operator={c.var.operator} what="message" back="Back to the deliveries" />, 404);
  }
  c.var.logger.info('console redeliver', { message_id: id, operator: c.var.operator });
  return c.redirect(`${BASE}/messages/${id}?done=requeued`, 303);
});

consoleArea.post('/reconcile', async function reconcileNow(c) {
  // Awaited, not left to the background: the answer says what the pass found.
  const summary = await withDatabase(() => reconcile(deliveryDeps(c)));
  c.var.logger.info('console reconcile', { operator: c.var.operator, ok: summary.ok, checked: summary.checked, missing: summary.missing });
  return c.redirect(`${BASE}?done=reconciled`, 303);
});

consoleArea.post('/redeliver-dead', async function redeliverDead(c) {
  const form = BULK.safeParse(await readForm(c.req.raw));
  if (!form.success) return renderPage(c, <ErrorPage base={BASE} product={PRODUCT} operator={c.var.operator} title="Bad request" detail='"Accepted since" must be a date and time.' />, 400);
  const count = await redeliverMany(deliveryDeps(c), 'dead', form.data.since ? Date.parse(`${form.data.since}Z`) : undefined);
  c.var.logger.info('console bulk redeliver', { count, since: form.data.since || undefined, operator: c.var.operator });
  return c.redirect(`${BASE}?done=${count}`, 303);
});
