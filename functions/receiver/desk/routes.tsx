/**
 * The Ops desk (GET /desk): the tickets the link opens, for people. A list that refreshes itself
 * (htmx polls its fragment every 5 s; without JavaScript it is a plain page), a ticket page with
 * the timeline of events and operators' actions, and the actions: acknowledge, note, close,
 * reopen; and an onboarding session's whole story (session-page.tsx). Every page is served by
 * this worker and renders from one or two database round trips.
 */
import type { Child } from 'hono/jsx';
import { z } from 'zod';
import { applyTicketAction, deskPage, deskTicketPage } from '../../../db/receiver/desk';
import { TICKET_PRIORITIES, TICKET_STATUSES, type Notification, type NotificationAttempt, type TicketAction, type WebhookEvent } from '../../../db/receiver/schema';
import { withDatabase } from '../../platform/database-errors';
import { readForm } from '../../platform/http/form-request';
import { Badge, BarChart, capitalised, ErrorPage, Facts, FilterForm, Layout, NotFoundPage, operatorArea, Pager, queryString, renderPage, when } from '../../operator-area';
import type { ReceiverApp } from '../types';
import { liveStream } from './live-stream';
import { sessionPage, sessionPath } from './session-page';
import { TicketTable } from './ticket-rows';

const BASE = '/desk';
const PRODUCT = 'Ops desk';
const PAGE_SIZE = 50;

const LIST_QUERY = z.object({
  status: z.enum(TICKET_STATUSES).optional().catch(undefined),
  priority: z.enum(TICKET_PRIORITIES).optional().catch(undefined),
  q: z.string().trim().max(253).optional().catch(undefined),
  cursor: z.coerce.number().int().positive().optional().catch(undefined),
});

const ACTION = z.object({
  action: z.enum(['acknowledge', 'note', 'close', 'reopen']),
  note: z.string().trim().max(2000).optional(),
});

type ListQuery = z.infer<typeof LIST_QUERY>;
type Page = Awaited<ReturnType<typeof deskPage>>;

/** The ticket list's element, which refreshes itself (htmx names it in HX-Trigger). */
const TICKET_LIST_ID = 'tickets';
/** The ticket page's live parts: its facts, and its timeline (the forms stay put: a note being typed is never swapped away). */
const TICKET_FACTS_ID = 'ticket-facts';
const TICKET_LIVE_ID = 'ticket-live';
/** The server-sent events that keep both live; polling every 5 s is the fallback when the stream fails. */
const LIVE = `${BASE}/live`;
/** The stream's URL for a page rendered from the desk's `version`: a change made in between is sent at once. */
const liveSince = (version: string) => `${LIVE}?since=${encodeURIComponent(version)}`;
const POLL = 'every 5s, live-change';

export const desk = operatorArea<ReceiverApp>({
  base: BASE,
  product: PRODUCT,
  cookie: 'ops_desk_session',
  selfRefreshing: [TICKET_LIST_ID, TICKET_FACTS_ID, TICKET_LIVE_ID],
  streams: ['/live'],
});

/** The counts and the table: the part that refreshes itself. */
function TicketsFragment({ page, query, version }: { page: Page; query: ListQuery; version: string }) {
  const refresh = `${BASE}/fragment${queryString({ status: query.status, priority: query.priority, q: query.q, cursor: query.cursor })}`;
  const last = page.items.at(-1);
  return (
    <section id={TICKET_LIST_ID} hx-get={refresh} hx-trigger={POLL} data-poll={POLL} data-live={liveSince(version)} hx-swap="outerHTML" aria-live="polite">
      <ul class="counts">
        <li>
          Open tickets<strong id="open-count">{String(page.open)}</strong>
        </li>
        <li>
          Open, high priority<strong id="open-high-count">{String(page.openHigh)}</strong>
        </li>
      </ul>
      <TicketTable base={BASE} caption="Tickets, newest first" empty="No tickets match." tickets={page.items} />
      <Pager
        newest={query.cursor ? `${BASE}${queryString({ status: query.status, priority: query.priority, q: query.q })}` : undefined}
        older={page.hasMore && last ? `${BASE}${queryString({ status: query.status, priority: query.priority, q: query.q, cursor: last.id })}` : undefined}
        olderLabel="Older tickets"
      />
    </section>
  );
}

async function loadList(c: { var: { services: ReceiverApp['Variables']['services'] }; req: { query(): Record<string, string> } }) {
  const query = LIST_QUERY.parse(c.req.query());
  const { db, now } = c.var.services;
  // The page carries the version it was read at (one snapshot): the stream sends any later change.
  const page = await withDatabase(() => deskPage(db, { status: query.status, priority: query.priority, search: query.q || undefined, before: query.cursor, limit: PAGE_SIZE }, now()));
  return { query, page, version: page.version };
}

desk.get('/', async function deskList(c) {
  const { query, page, version } = await loadList(c);
  return renderPage(
    c,
    <Layout base={BASE} product={PRODUCT} title="Tickets" operator={c.var.operator}>
      <h1>Tickets</h1>
      <FilterForm
        action={BASE}
        search={query.q}
        selects={[
          { name: 'status', label: 'Status', choices: TICKET_STATUSES.map((s) => [s, capitalised(s)]), selected: query.status },
          { name: 'priority', label: 'Priority', choices: [...TICKET_PRIORITIES].reverse().map((p) => [p, capitalised(p)]), selected: query.priority },
        ]}
      />
      <TicketsFragment page={page} query={query} version={version} />
      <BarChart id="per-day" title="Tickets opened per day, last 14 days" unit="tickets" bars={page.perDay.map((d) => ({ label: d.day.slice(5), value: d.n }))} />
    </Layout>,
  );
});

desk.get('/live', liveStream);

desk.get('/fragment', async function deskFragment(c) {
  const { query, page, version } = await loadList(c);
  return c.html(String(<TicketsFragment page={page} query={query} version={version} />), 200, { 'cache-control': 'no-store' });
});

type TimelineEntry =
  | { at: number; kind: 'event'; event: WebhookEvent }
  | { at: number; kind: 'action'; action: TicketAction }
  | { at: number; kind: 'notification'; notification: Notification; attempts: NotificationAttempt[] };

/** What a notification was for, in words. */
function notificationWhat(n: Notification): string {
  const channel = n.channel === 'email' ? 'Mail' : 'Chat message';
  const escalation = /^escalation-(\d+)$/.exec(n.reason);
  return escalation ? `${channel}: reminder ${escalation[1]}, not acknowledged yet` : `${channel}: the ticket opened`;
}

/** A notification on the timeline: where it stands, and each attempt's answer. */
function NotificationEntry({ notification: n, attempts }: { notification: Notification; attempts: NotificationAttempt[] }) {
  const state =
    n.status === 'delivered'
      ? `sent ${when(n.deliveredAt)}`
      : n.status === 'dead'
        ? `failed after ${n.attempts} attempts: nobody was told this way`
        : n.attempts === 0
          ? 'being sent'
          : `not sent yet; next try ${when(n.nextAttemptAt)}`;
  return (
    <li class={`notification ${n.status}`}>
      <div>
        <strong>{notificationWhat(n)}</strong> <Badge value={n.status} /> <span class="when">{state}</span>
      </div>
      {attempts.length > 0 ? (
        <ul class="attempts">
          {attempts.map((a) => (
            <li class="when">
              {when(a.startedAt)}: {a.outcome}
              {a.statusCode !== null ? ` (HTTP ${a.statusCode})` : ''}
              {a.error ? ` \u2014 ${a.error}` : ''}
              {a.responseBody ? ` \u2014 ${a.responseBody.slice(0, 200)}` : ''}
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

const ACTION_WORDS: Record<TicketAction['action'], string> = {
  acknowledge: 'took the ticket',
  note: 'added a note',
  close: 'closed the ticket',
  reopen: 'reopened the ticket',
};

function Timeline({ entries }: { entries: TimelineEntry[] }) {
  return (
    <ol class="timeline">
      {entries.map((entry) =>
        entry.kind === 'event' ? (
          <li>
            <div>
              <strong>{entry.event.eventType}</strong> <span class="when">received {when(entry.event.receivedAt)}</span>
            </div>
            <div class="when">
              occurred {when(entry.event.occurredAt)} · webhook-id {entry.event.webhookId ?? '\u2014'}
            </div>
            {entry.event.dataPurgedAt ? (
              <p class="muted">Data removed by retention on {when(entry.event.dataPurgedAt)}.</p>
            ) : (
              <pre>{JSON.stringify(JSON.parse(entry.event.data), null, 2)}</pre>
            )}
          </li>
        ) : entry.kind === 'notification' ? (
          <NotificationEntry notification={entry.notification} attempts={entry.attempts} />
        ) : (
          <li>
            <div>
              <strong>{entry.action.operator}</strong> {ACTION_WORDS[entry.action.action]} <span class="when">{when(entry.action.at)}</span>
            </div>
            {entry.action.note ? <pre>{entry.action.note}</pre> : null}
          </li>
        ),
      )}
    </ol>
  );
}

/** A part of a page that refreshes itself from the page's own answer (htmx selects it by id). */
function LivePart({ id, page, version, children }: { id: string; page: string; version: string; children?: Child }) {
  return (
    <section id={id} hx-get={page} hx-select={`#${id}`} hx-trigger={POLL} data-poll={POLL} data-live={liveSince(version)} hx-swap="outerHTML">
      {children}
    </section>
  );
}

desk.get('/tickets/:id', async function ticketPage(c) {
  const id = Number(c.req.param('id'));
  const found = Number.isSafeInteger(id) && id > 0 ? await withDatabase(() => deskTicketPage(c.var.services.db, id)) : null;
  if (!found) return renderPage(c, <NotFoundPage base={BASE} product={PRODUCT} operator={c.var.operator} what="ticket" back="Back to the tickets" />, 404);
  const { ticket, events, actions, sessionTickets, notices, version } = found;
  const entries: TimelineEntry[] = [
    ...events.map((event) => ({ at: event.receivedAt, kind: 'event' as const, event })),
    ...actions.map((action) => ({ at: action.at, kind: 'action' as const, action })),
    ...notices.map(({ notification, attempts }) => ({ at: notification.createdAt, kind: 'notification' as const, notification, attempts })),
  ].sort((a, b) => a.at - b.at);
  const failedNotices = notices.filter((n) => n.notification.status === 'dead').length;
  const done = c.req.query('done');
  const post = `${BASE}/tickets/${ticket.id}/actions`;
  return renderPage(
    c,
    <Layout base={BASE} product={PRODUCT} title={`Ticket ${ticket.id}`} operator={c.var.operator}>
      <p>
        <a href={BASE}>All tickets</a>
      </p>
      <h1>{ticket.subject}</h1>
      {done && done in ACTION_WORDS ? (
        <p class="notice" role="status">
          Done: you {ACTION_WORDS[done as TicketAction['action']]}.
        </p>
      ) : null}
      <LivePart id={TICKET_FACTS_ID} page={`${BASE}/tickets/${ticket.id}`} version={version}>
      <Facts
        items={[
          ['Priority', <Badge value={ticket.priority} />],
          ['Status', <Badge value={ticket.status} />],
          ['Taken by', ticket.assignedTo ?? 'nobody yet'],
          ...(notices.length > 0
            ? [['Notifications', failedNotices > 0 ? <strong class="failed">{`${failedNotices} of ${notices.length} failed`}</strong> : `${notices.length}, none failed`] as [string, Child]]
            : []),
          ['Domain', ticket.domain],
          ['Session', <a href={sessionPath(BASE, ticket.sessionId)}>{ticket.sessionId} (the whole onboarding)</a>],
          ['Opened', when(ticket.createdAt)],
          ['Updated', when(ticket.updatedAt)],
        ]}
      />
      </LivePart>
      <div class="actions">
        {ticket.assignedTo !== c.var.operator ? (
          <form method="post" action={post}>
            <input type="hidden" name="action" value="acknowledge" />
            <button type="submit">Acknowledge</button>
          </form>
        ) : null}
        <form method="post" action={post}>
          <input type="hidden" name="action" value={ticket.status === 'open' ? 'close' : 'reopen'} />
          <button type="submit" class="secondary">
            {ticket.status === 'open' ? 'Close' : 'Reopen'}
          </button>
        </form>
      </div>
      <form class="stack" method="post" action={post}>
        <input type="hidden" name="action" value="note" />
        <label>
          Note
          <textarea name="note" rows={3} required maxlength={2000}></textarea>
        </label>
        <button type="submit">Add note</button>
      </form>
      <LivePart id={TICKET_LIVE_ID} page={`${BASE}/tickets/${ticket.id}`} version={version}>
      {sessionTickets.length > 0 ? (
        <>
          <h2>Other tickets of this onboarding</h2>
          <ul class="session-tickets">
            {sessionTickets.map((t) => (
              <li>
                <a href={`${BASE}/tickets/${t.id}`}>
                  #{String(t.id)} {t.subject}
                </a>{' '}
                <Badge value={t.status} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <h2>Timeline</h2>
      <Timeline entries={entries} />
      </LivePart>
    </Layout>,
  );
});

desk.get('/sessions/:sessionId', sessionPage(BASE, PRODUCT));

desk.post('/tickets/:id/actions', async function ticketAction(c) {
  const id = Number(c.req.param('id'));
  const form = ACTION.safeParse(await readForm(c.req.raw));
  if (!form.success || (form.data.action === 'note' && !form.data.note)) {
    return renderPage(c, <ErrorPage base={BASE} product={PRODUCT} operator={c.var.operator} title="Bad request" detail="An action (acknowledge, note, close, reopen) and, for a note, its text." />, 400);
  }
  const { action, note } = form.data;
  const applied =
    Number.isSafeInteger(id) && id > 0
      ? await withDatabase(() => applyTicketAction(c.var.services.db, id, action, c.var.operator, action === 'note' ? note! : null, c.var.services.now()))
      : false;
  if (!applied) return renderPage(c, <NotFoundPage base={BASE} product={PRODUCT} operator={c.var.operator} what="ticket" back="Back to the tickets" />, 404);
  c.var.logger.info('ticket action', { ticket_id: id, action, operator: c.var.operator });
  return c.redirect(`${BASE}/tickets/${id}?done=${action}`, 303);
});
