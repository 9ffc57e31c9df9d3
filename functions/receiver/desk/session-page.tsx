/**
 * GET /desk/sessions/{session_id}: one customer's onboarding in one place. Every event of the
 * session in the order it arrived, each with the ticket it belongs to, and the session's tickets.
 */
import type { Context } from 'hono';
import { sessionStory } from '../../../db/receiver/tickets';
import type { Ticket, WebhookEvent } from '../../../db/receiver/schema';
import { withDatabase } from '../../platform/database-errors';
import { DataTable, Layout, NotFoundPage, renderPage, when } from '../../operator-area';
import type { ReceiverApp } from '../types';
import { TicketTable } from './ticket-rows';

/** The page of a session, under the desk's `base`. */
export function sessionPath(base: string, sessionId: string): string {
  return `${base}/sessions/${encodeURIComponent(sessionId)}`;
}

function TicketLink({ base, ticket }: { base: string; ticket: Ticket | undefined }) {
  if (!ticket) return <span class="muted">no ticket</span>;
  return (
    <a href={`${base}/tickets/${ticket.id}`}>
      #{String(ticket.id)} {ticket.subject}
    </a>
  );
}

export function sessionPage(base: string, product: string) {
  return async function sessionStoryPage(c: Context<ReceiverApp>): Promise<Response> {
    const sessionId = c.req.param('sessionId') ?? '';
    const story = sessionId.length > 0 && sessionId.length <= 128 ? await withDatabase(() => sessionStory(c.var.services.db, sessionId)) : { events: [], tickets: [] };
    if (story.events.length === 0) {
      return renderPage(c, <NotFoundPage base={base} product={product} operator={c.var.operator} what="onboarding session" back="Back to the tickets" />, 404);
    }
    const ticketOf = new Map(story.tickets.map((t) => [t.id, t]));
    const domains = [...new Set(story.events.map((e) => e.domain))].join(', ');
    return renderPage(
      c,
      <Layout base={base} product={product} title={`Session ${sessionId}`} operator={c.var.operator}>
        <p>
          <a href={base}>All tickets</a>
        </p>
        <h1>Onboarding session {sessionId}</h1>
        <p class="muted">
          {domains} · {String(story.events.length)} events · {String(story.tickets.length)} tickets
        </p>
        <DataTable
          caption="Every event of the session, in the order it arrived"
          columns={['Received', 'Event', 'Domain', 'Ticket']}
          empty="No events."
          rows={story.events.map((event: WebhookEvent) => (
            <tr>
              <td>{when(event.receivedAt)}</td>
              <td>
                <strong>{event.eventType}</strong>
                {event.occurredAt ? <div class="muted">occurred {when(event.occurredAt)}</div> : null}
              </td>
              <td>{event.domain}</td>
              <td>
                <TicketLink base={base} ticket={event.ticketId === null ? undefined : ticketOf.get(event.ticketId)} />
              </td>
            </tr>
          ))}
        />
        <TicketTable base={base} caption="The session's tickets" empty="No tickets." tickets={story.tickets} />
      </Layout>,
    );
  };
}
