import * as api from '../../api/calls.js';
import { ApiError } from '../../api/client.js';
import type { Actor, HistoryEvent } from '../../api/types.js';
import { Alert } from '../../components/Alert.js';
import { Time } from '../../components/Time.js';
import { usePageTitle } from '../../page-title.js';
import { useLoad } from '../../use-load.js';
import { ResyncButton } from './ResyncButton.js';

function actorText(actor: Actor | undefined): string {
  if (!actor) return 'unknown';
  if (actor.type === 'customer' || actor.type === 'admin') return `${actor.type} ${actor.id}`;
  if (actor.type === 'forgejo') return actor.login ? `forgejo ${actor.login}` : 'forgejo';
  return actor.type;
}

/** The ticket's title as its latest event that carries one says. */
function titleOf(events: HistoryEvent[]): string | null {
  for (let i = events.length - 1; i >= 0; i -= 1) {
    const title = events[i].data?.title;
    if (typeof title === 'string') return title;
  }
  return null;
}

function TimelineItem({ event }: { event: HistoryEvent }) {
  const { actor, correlationId, causationId, ...rest } = event.metadata ?? ({} as HistoryEvent['metadata']);
  const via = typeof rest.via === 'string' ? rest.via : null;
  return (
    <li class="event">
      <div class="event-head">
        <strong class="event-type">{event.type}</strong>
        <span class={`actor actor-${actor?.type ?? 'unknown'}`}>{actorText(actor)}</span>
        {via && <span class="badge">via {via}</span>}
        <Time value={event.recordedAt} />
      </div>
      <dl class="event-ids">
        <dt>Revision</dt>
        <dd>{event.revision}</dd>
        <dt>Correlation</dt>
        <dd>
          <code>{correlationId}</code>
        </dd>
        <dt>Causation</dt>
        <dd>
          <code>{causationId}</code>
        </dd>
      </dl>
      <details>
        <summary>Data</summary>
        <pre class="json">{JSON.stringify(event.data, null, 2)}</pre>
      </details>
      <details>
        <summary>Metadata</summary>
        <pre class="json">{JSON.stringify(event.metadata, null, 2)}</pre>
      </details>
    </li>
  );
}

export function TicketHistory({ id }: { id: string }) {
  const history = useLoad(() => api.adminTicketHistory(id), [id]);
  const missing = history.error instanceof ApiError && (history.error.status === 404 || history.error.status === 400);
  const title = history.data ? titleOf(history.data.events) : null;
  const heading = missing ? 'Ticket not found' : history.data ? `History of ${title ?? `ticket ${id}`}` : 'History';
  usePageTitle(heading);

  if (missing) {
    return (
      <>
        <h1>Ticket not found</h1>
        <p>No ticket has this id.</p>
      </>
    );
  }
  return (
    <>
      <h1 class="ticket-heading">{heading}</h1>
      <Alert message={history.error ? (history.error as Error).message : null} />
      {history.loading && <p class="muted">Loading…</p>}
      {history.data && (
        <>
          <div class="actions">
            <ResyncButton ticketId={id} />
          </div>
          <ol aria-label="Timeline" class="timeline">
            {history.data.events.map((event) => (
              <TimelineItem key={event.id ?? event.revision} event={event} />
            ))}
          </ol>
        </>
      )}
    </>
  );
}
