import * as api from '../../api/calls.js';
import { Alert } from '../../components/Alert.js';
import { Link } from '../../components/Link.js';
import { Time } from '../../components/Time.js';
import { usePageTitle } from '../../page-title.js';
import { useLoad } from '../../use-load.js';
import { ResyncButton } from './ResyncButton.js';

export function SyncFailures() {
  usePageTitle('Sync failures');
  const failures = useLoad(() => api.adminSyncFailures(), []);
  const data = failures.data;
  return (
    <>
      <h1>Sync failures</h1>
      <p class="muted">Forgejo syncs that gave up. Resync starts them again with a fresh retry budget.</p>
      <Alert message={failures.error ? (failures.error as Error).message : null} />
      {failures.loading && <p class="muted">Loading…</p>}
      {data && data.tickets.length === 0 && data.comments.length === 0 && <p class="empty">No sync failures</p>}
      {data && data.tickets.length > 0 && (
        <section aria-labelledby="ticket-failures">
          <h2 id="ticket-failures">Tickets not created in Forgejo</h2>
          <ul class="failures">
            {data.tickets.map((failure) => (
              <li key={failure.ticketId} class="card failure">
                <Link href={`/app/admin/tickets/${failure.ticketId}`} class="ticket-title">
                  {failure.title}
                </Link>
                <p class="meta">
                  {failure.repo} · the Forgejo issue · failed <Time value={failure.failedAt} />
                </p>
                <p class="reason">{failure.reason}</p>
                <ResyncButton ticketId={failure.ticketId} />
              </li>
            ))}
          </ul>
        </section>
      )}
      {data && data.comments.length > 0 && (
        <section aria-labelledby="comment-failures">
          <h2 id="comment-failures">Comments not sent to Forgejo</h2>
          <ul class="failures">
            {data.comments.map((failure) => (
              <li key={failure.commentId} class="card failure">
                <Link href={`/app/admin/tickets/${failure.ticketId}`} class="ticket-title">
                  {`Ticket ${failure.ticketId}`}
                </Link>
                <p class="meta">
                  comment <code>{failure.commentId}</code> · failed <Time value={failure.failedAt} />
                </p>
                <p class="reason">{failure.reason}</p>
                <ResyncButton ticketId={failure.ticketId} />
              </li>
            ))}
          </ul>
        </section>
      )}
      {data && (
        <section aria-labelledby="parked-events">
          <h2 id="parked-events">Parked events</h2>
          <p class="muted">Events a read model could not apply and set aside; the rest of the read models goes on.</p>
          {data.parkedEvents.length === 0 ? (
            <p class="empty">No parked events</p>
          ) : (
            <ul class="failures">
              {data.parkedEvents.map((event) => (
                <li key={`${event.projection}-${event.eventId}`} class="card failure">
                  <p>
                    <strong>{event.type}</strong> in <code>{event.streamId}</code> (revision {event.revision})
                  </p>
                  <p class="meta">
                    projection {event.projection} · parked <Time value={event.parkedAt} />
                  </p>
                  <p class="reason">{event.error}</p>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </>
  );
}
