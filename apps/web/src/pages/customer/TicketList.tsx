import { useState } from 'preact/hooks';
import * as api from '../../api/calls.js';
import type { TicketSummary } from '../../api/types.js';
import { Alert } from '../../components/Alert.js';
import { Link } from '../../components/Link.js';
import { ForgejoState, StatusPill } from '../../components/TicketBadges.js';
import { Time } from '../../components/Time.js';
import { usePageTitle } from '../../page-title.js';
import { useLoad } from '../../use-load.js';

export function TicketList() {
  usePageTitle('Your tickets');
  const first = useLoad(() => api.listTickets(), []);
  const [more, setMore] = useState<TicketSummary[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [moreError, setMoreError] = useState<string | null>(null);
  const nextCursor = cursor === undefined ? first.data?.nextCursor : cursor;

  const loadMore = async () => {
    if (!nextCursor) return;
    try {
      const page = await api.listTickets(nextCursor);
      setMore((shown) => [...shown, ...page.items]);
      setCursor(page.nextCursor);
      setMoreError(null);
    } catch (error) {
      setMoreError(error instanceof Error ? error.message : String(error));
    }
  };

  const tickets = [...(first.data?.items ?? []), ...more];
  return (
    <>
      <h1>Your tickets</h1>
      <Alert message={first.error ? String((first.error as Error).message ?? first.error) : null} />
      {first.loading && <p class="muted">Loading…</p>}
      {first.data && tickets.length === 0 && <p class="empty">No tickets yet</p>}
      {tickets.length > 0 && (
        <ul aria-label="Tickets" class="ticket-list card">
          {tickets.map((ticket) => (
            <li key={ticket.id} class="ticket-item">
              <StatusPill status={ticket.status} />
              <div class="ticket-item-main">
                <Link href={`/app/tickets/${ticket.id}`} class="ticket-title">
                  {ticket.title}
                </Link>
                <p class="meta">
                  {ticket.repo} · opened <Time value={ticket.createdAt} /> · <ForgejoState issueNumber={ticket.forgejoIssueNumber} />
                </p>
              </div>
            </li>
          ))}
        </ul>
      )}
      <Alert message={moreError} />
      {nextCursor && (
        <button type="button" onClick={loadMore}>
          More tickets
        </button>
      )}
    </>
  );
}
