/** The desk's table of tickets (the list, an onboarding's story): one row a ticket, its subject a link to it. */
import type { Ticket } from '../../../db/receiver/schema';
import { Badge, DataTable, when } from '../../operator-area';

export function TicketTable({ base, caption, empty, tickets }: { base: string; caption: string; empty: string; tickets: Ticket[] }) {
  return (
    <DataTable
      caption={caption}
      columns={['#', 'Subject', 'Priority', 'Status', 'Opened']}
      empty={empty}
      rows={tickets.map((t) => (
        <tr>
          <td>{String(t.id)}</td>
          <td class="subject">
            <a href={`${base}/tickets/${t.id}`}>{t.subject}</a>
            {t.assignedTo ? <div class="muted">taken by {t.assignedTo}</div> : null}
          </td>
          <td>
            <Badge value={t.priority} />
          </td>
          <td>
            <Badge value={t.status} />
          </td>
          <td>{when(t.createdAt)}</td>
        </tr>
      ))}
    />
  );
}
