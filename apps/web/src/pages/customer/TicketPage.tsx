import { useEffect, useState } from 'preact/hooks';
import * as api from '../../api/calls.js';
import { ApiError } from '../../api/client.js';
import type { Comment, Ticket } from '../../api/types.js';
import { Alert } from '../../components/Alert.js';
import { Field } from '../../components/Field.js';
import { ForgejoState, StatusPill } from '../../components/TicketBadges.js';
import { Time } from '../../components/Time.js';
import { errorFor, formError, generalError, type FormError } from '../../forms.js';
import { usePageTitle } from '../../page-title.js';

const POLL_MS = 3000;

/** Keeps `load` running every POLL_MS while the page is visible, and at once when it becomes visible again. */
function usePolling(load: () => void, key: string): void {
  useEffect(() => {
    const tick = () => {
      if (document.visibilityState === 'visible') load();
    };
    const timer = window.setInterval(tick, POLL_MS);
    document.addEventListener('visibilitychange', tick);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', tick);
    };
  }, [key]);
}

function CommentItem({ comment }: { comment: Comment }) {
  const team = comment.author === 'team';
  return (
    <li class={team ? 'comment comment-team' : 'comment'}>
      <div class="comment-head">
        <strong class="comment-author">{comment.authorName}</strong>
        {team && <span class="badge badge-team">Team</span>}
        <Time value={comment.createdAt} />
        {comment.editedAt && <span class="edited">edited</span>}
      </div>
      <div class="comment-body">{comment.body}</div>
    </li>
  );
}

function Conversation({ ticket }: { ticket: Ticket }) {
  const [older, setOlder] = useState<{ items: Comment[]; cursor: string | null }>({ items: [], cursor: null });
  const cursor = older.items.length ? older.cursor : ticket.commentsNextCursor;
  const loadMore = async () => {
    if (!cursor) return;
    const page = await api.listComments(ticket.id, cursor);
    setOlder((shown) => ({ items: [...shown.items, ...page.items], cursor: page.nextCursor }));
  };
  const comments = [...ticket.comments, ...older.items];
  return (
    <section aria-labelledby="conversation-heading" class="conversation">
      <h2 id="conversation-heading">Conversation</h2>
      <ol aria-label="Conversation" class="comments">
        {comments.map((comment) => (
          <CommentItem key={comment.id} comment={comment} />
        ))}
      </ol>
      {comments.length === 0 && <p class="muted">No comments yet.</p>}
      {cursor && (
        <button type="button" onClick={loadMore}>
          More comments
        </button>
      )}
    </section>
  );
}

function CommentForm({ ticket, onAdded }: { ticket: Ticket; onAdded: () => void }) {
  const [body, setBody] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.addComment(ticket.id, body);
      setBody('');
      onAdded();
    } catch (failure) {
      setError(formError(failure, ['body'], [400, 409]));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card form comment-form" onSubmit={submit} noValidate>
      <Alert message={generalError(error)} />
      <Field id="comment" label="Comment" error={errorFor(error, 'body')}>
        {(control) => <textarea {...control} name="body" rows={5} required value={body} onInput={(e) => setBody(e.currentTarget.value)} />}
      </Field>
      <button type="submit" class="button-primary" disabled={busy}>
        Add comment
      </button>
    </form>
  );
}

export function TicketPage({ id }: { id: string }) {
  const [ticket, setTicket] = useState<Ticket | null>(null);
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [reopenError, setReopenError] = useState<string | null>(null);
  usePageTitle(missing ? 'Ticket not found' : (ticket?.title ?? 'Ticket'));

  const load = async () => {
    try {
      setTicket(await api.getTicket(id));
      setError(null);
    } catch (failure) {
      if (failure instanceof ApiError && (failure.status === 404 || failure.status === 400)) setMissing(true);
      else setError(failure instanceof Error ? failure.message : String(failure));
    }
  };
  useEffect(() => {
    setTicket(null);
    setMissing(false);
    void load();
  }, [id]);
  usePolling(() => void load(), id);

  const reopen = async () => {
    setReopenError(null);
    try {
      setTicket(await api.reopenTicket(id));
    } catch (failure) {
      setReopenError(failure instanceof Error ? failure.message : String(failure));
      void load();
    }
  };

  if (missing) {
    return (
      <>
        <h1>Ticket not found</h1>
        <p>There is no ticket of yours at this address.</p>
      </>
    );
  }
  if (!ticket) {
    return (
      <>
        <h1>Ticket</h1>
        <Alert message={error} />
        {!error && <p class="muted">Loading…</p>}
      </>
    );
  }
  return (
    <article class="ticket">
      <h1 class="ticket-heading">{ticket.title}</h1>
      <p class="ticket-meta">
        <StatusPill status={ticket.status} testId="ticket-status" />
        <ForgejoState issueNumber={ticket.forgejoIssueNumber} testId="forgejo-state" />
        <span class="meta">
          {ticket.repo} · opened <Time value={ticket.createdAt} />
          {ticket.closedAt && (
            <>
              {' '}
              · closed <Time value={ticket.closedAt} />
            </>
          )}
        </span>
      </p>
      <Alert message={error} />
      <section aria-label="Description" class="card description">
        <div class="comment-body">{ticket.description}</div>
      </section>
      <Conversation ticket={ticket} />
      {ticket.status === 'closed' && (
        <div class="card reopen">
          <p>This ticket is closed. Still a problem?</p>
          <Alert message={reopenError} />
          <button type="button" onClick={reopen}>
            Reopen
          </button>
        </div>
      )}
      <CommentForm ticket={ticket} onAdded={() => void load()} />
    </article>
  );
}
