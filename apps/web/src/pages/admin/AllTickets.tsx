import { useState } from 'preact/hooks';
import * as api from '../../api/calls.js';
import type { TicketStatus } from '../../api/types.js';
import { Alert } from '../../components/Alert.js';
import { Field } from '../../components/Field.js';
import { Link } from '../../components/Link.js';
import { ForgejoState, StatusPill } from '../../components/TicketBadges.js';
import { Time } from '../../components/Time.js';
import { usePageTitle } from '../../page-title.js';
import { useLoad } from '../../use-load.js';

export function AllTickets() {
  usePageTitle('All tickets');
  const [status, setStatus] = useState<TicketStatus | ''>('');
  const [repo, setRepo] = useState('');
  // the cursors of the pages before this one, so that "Previous page" can go back
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const repos = useLoad(() => api.adminListRepos(), []);
  const page = useLoad(
    () => api.adminListTickets({ status: status || undefined, repo: repo || undefined, cursor }),
    [status, repo, cursor],
  );

  const filter = (apply: () => void) => {
    apply();
    setCursors([]);
  };

  return (
    <>
      <h1>All tickets</h1>
      <form class="filters" role="search" aria-label="Filter tickets" onSubmit={(e) => e.preventDefault()}>
        <Field id="filter-status" label="Status">
          {(control) => (
            <select {...control} value={status} onChange={(e) => filter(() => setStatus(e.currentTarget.value as TicketStatus | ''))}>
              <option value="">any</option>
              <option value="open">open</option>
              <option value="closed">closed</option>
            </select>
          )}
        </Field>
        <Field id="filter-repo" label="Repository">
          {(control) => (
            <select {...control} value={repo} onChange={(e) => filter(() => setRepo(e.currentTarget.value))}>
              <option value="">any</option>
              {(repos.data ?? []).map(({ slug }) => (
                <option key={slug} value={slug}>
                  {slug}
                </option>
              ))}
            </select>
          )}
        </Field>
      </form>
      <Alert message={page.error ? (page.error as Error).message : null} />
      {page.loading && <p class="muted">Loading…</p>}
      {page.data && page.data.items.length === 0 && <p class="empty">No tickets match</p>}
      {page.data && page.data.items.length > 0 && (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Repo</th>
              <th scope="col">Status</th>
              <th scope="col">Forgejo</th>
              <th scope="col">Customer</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((ticket) => (
              <tr key={ticket.id}>
                <th scope="row" data-label="Title">
                  <Link href={`/app/admin/tickets/${ticket.id}`}>{ticket.title}</Link>
                </th>
                <td data-label="Repo">{ticket.repo}</td>
                <td data-label="Status">
                  <StatusPill status={ticket.status} />
                </td>
                <td data-label="Forgejo">
                  <ForgejoState issueNumber={ticket.forgejoIssueNumber} />
                </td>
                <td data-label="Customer">{ticket.ownerEmail}</td>
                <td data-label="Created">
                  <Time value={ticket.createdAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="actions">
        {cursors.length > 0 && (
          <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>
            Previous page
          </button>
        )}
        {page.data?.nextCursor && (
          <button type="button" onClick={() => setCursors([...cursors, page.data!.nextCursor!])}>
            Next page
          </button>
        )}
      </div>
    </>
  );
}
