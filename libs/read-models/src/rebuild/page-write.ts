import type pg from 'pg';
import type { TicketTables } from '../tickets/tickets.projection.js';
import { commentIdsChanged, ticketIdsCommentedOn, type EarlierRows, type FoldedPage } from './page-fold.js';
import { copyField, copyIn } from './copy-in.js';
import type { ReplayedEvent } from './log-pages.js';

/*
 * A folded page written in a few statements: each row the page creates is COPY'd in once, whole; each stored row it
 * changes is updated once (a multi-row UPDATE from unnest of one array per column). Runs in the caller's transaction.
 */

const EARLIER_ROWS = (t: TicketTables) => `
  SELECT 'comment' AS kind, id, ticket_id FROM ${t.comments} WHERE id = ANY($1::uuid[])
  UNION ALL
  SELECT 'ticket', id, NULL FROM ${t.tickets} WHERE id = ANY($2::uuid[])`;

// the retry clears every comment of the ticket; those the page changes by id carry their own outcome
const CLEAR_RETRIED = (t: TicketTables) => `
  UPDATE ${t.comments} SET forgejo_sync_error = NULL, forgejo_sync_failed_at = NULL
  WHERE ticket_id = ANY($1::uuid[]) AND NOT (id = ANY($2::uuid[]))`;

const COPY_TICKETS = (t: TicketTables) => `
  COPY ${t.tickets} (id, seq, owner_id, owner_email, repo, title, description, status, forgejo_issue_number, forgejo_owner,
    forgejo_name, created_at, updated_at, closed_at, forgejo_reopens_owed, forgejo_sync_error, forgejo_sync_failed_at, stream_revision)
  FROM STDIN`;

const UPDATE_TICKETS = (t: TicketTables) => `
  UPDATE ${t.tickets} t SET
    status = coalesce(u.status, t.status),
    closed_at = CASE WHEN u.closed_set THEN u.closed_at ELSE t.closed_at END,
    updated_at = greatest(t.updated_at, u.bump),
    forgejo_issue_number = CASE WHEN u.link_set THEN u.issue_number ELSE t.forgejo_issue_number END,
    forgejo_owner = CASE WHEN u.link_set THEN u.owner ELSE t.forgejo_owner END,
    forgejo_name = CASE WHEN u.link_set THEN u.name ELSE t.forgejo_name END,
    forgejo_reopens_owed = greatest(u.owed_floor, t.forgejo_reopens_owed + u.owed_add),
    forgejo_sync_error = CASE WHEN u.sync_set THEN u.sync_error ELSE t.forgejo_sync_error END,
    forgejo_sync_failed_at = CASE WHEN u.sync_set THEN u.sync_at ELSE t.forgejo_sync_failed_at END,
    stream_revision = greatest(t.stream_revision, u.stream_revision)
  FROM unnest($1::uuid[], $2::text[], $3::bool[], $4::timestamptz[], $5::timestamptz[], $6::bool[], $7::int[], $8::text[], $9::text[],
    $10::int[], $11::int[], $12::bool[], $13::text[], $14::timestamptz[], $15::int[])
    AS u(id, status, closed_set, closed_at, bump, link_set, issue_number, owner, name, owed_floor, owed_add, sync_set, sync_error, sync_at,
      stream_revision)
  WHERE t.id = u.id`;

const COPY_COMMENTS = (t: TicketTables) => `
  COPY ${t.comments} (id, ticket_id, revision, body, author, author_id, author_email, author_name, forgejo_comment_id, created_at,
    edited_at, forgejo_sync_error, forgejo_sync_failed_at)
  FROM STDIN`;

const UPDATE_COMMENTS = (t: TicketTables) => `
  UPDATE ${t.comments} c SET
    forgejo_comment_id = CASE WHEN u.linked THEN u.forgejo_comment_id ELSE c.forgejo_comment_id END,
    body = CASE WHEN u.edited THEN u.body ELSE c.body END,
    edited_at = CASE WHEN u.edited THEN u.edited_at ELSE c.edited_at END,
    forgejo_sync_error = CASE WHEN u.sync_set THEN u.sync_error ELSE c.forgejo_sync_error END,
    forgejo_sync_failed_at = CASE WHEN u.sync_set THEN u.sync_at ELSE c.forgejo_sync_failed_at END
  FROM unnest($1::uuid[], $2::bool[], $3::bigint[], $4::bool[], $5::text[], $6::timestamptz[], $7::bool[], $8::text[], $9::timestamptz[])
    AS u(id, linked, forgejo_comment_id, edited, body, edited_at, sync_set, sync_error, sync_at)
  WHERE c.id = u.id`;

const DELETE_COMMENTS = (t: TicketTables) => `DELETE FROM ${t.comments} WHERE id = ANY($1::uuid[])`;

/** What `foldPage` needs to know of the rows earlier pages stored, in one statement (none when it needs nothing). */
export async function earlierRows(db: pg.ClientBase, tables: TicketTables, page: ReplayedEvent[]): Promise<EarlierRows> {
  const earlier = { comments: new Map<string, string>(), tickets: new Set<string>() };
  const [commentIds, ticketIds] = [commentIdsChanged(page), ticketIdsCommentedOn(page)];
  if (commentIds.length === 0 && ticketIds.length === 0) return earlier;
  const { rows } = await db.query<{ kind: 'comment' | 'ticket'; id: string; ticket_id: string }>(EARLIER_ROWS(tables), [commentIds, ticketIds]);
  for (const row of rows) {
    if (row.kind === 'comment') earlier.comments.set(row.id, row.ticket_id);
    else earlier.tickets.add(row.id);
  }
  return earlier;
}

/** Column arrays of `rows`, one per getter. */
const columns = <T>(rows: T[], getters: Array<(row: T) => unknown>) => getters.map((get) => rows.map(get));
/** `rows` as COPY text-format lines, a field per getter. */
const copyLines = <T>(rows: T[], getters: Array<(row: T) => string | number | null>) => {
  let lines = '';
  for (const row of rows) lines += getters.map((get) => copyField(get(row))).join('\t') + '\n';
  return lines;
};
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function writeFoldedPage(db: pg.ClientBase, tables: TicketTables, page: FoldedPage): Promise<void> {
  const { newTickets, ticketChanges, newComments, commentChanges, retriedTickets } = page;
  if (retriedTickets.length) await db.query(CLEAR_RETRIED(tables), [retriedTickets, commentChanges.map((c) => c.id)]);
  if (newTickets.length) {
    await copyIn(
      db,
      COPY_TICKETS(tables),
      copyLines(newTickets, [
        (t) => t.id,
        (t) => t.seq,
        (t) => t.ownerId,
        (t) => t.ownerEmail,
        (t) => t.repo,
        (t) => t.title,
        (t) => t.description,
        (t) => t.status,
        (t) => t.issueNumber,
        (t) => t.forgejoOwner,
        (t) => t.forgejoName,
        (t) => t.createdAt,
        (t) => iso(t.updatedAt),
        (t) => t.closedAt,
        (t) => t.reopensOwed,
        (t) => t.syncError,
        (t) => t.syncFailedAt,
        (t) => t.streamRevision,
      ]),
    );
  }
  if (ticketChanges.length) {
    await db.query(
      UPDATE_TICKETS(tables),
      columns(ticketChanges, [
        (t) => t.id,
        (t) => t.status,
        (t) => t.closed !== null,
        (t) => t.closed?.at ?? null,
        (t) => iso(t.bump),
        (t) => t.link !== null,
        (t) => t.link?.issueNumber ?? null,
        (t) => t.link?.owner ?? null,
        (t) => t.link?.name ?? null,
        (t) => t.owedFloor,
        (t) => t.owedAdd,
        (t) => t.sync !== null,
        (t) => t.sync?.error ?? null,
        (t) => t.sync?.at ?? null,
        (t) => t.streamRevision,
      ]),
    );
  }
  if (newComments.length) {
    await copyIn(
      db,
      COPY_COMMENTS(tables),
      copyLines(newComments, [
        (c) => c.id,
        (c) => c.ticketId,
        (c) => c.revision,
        (c) => c.body,
        (c) => c.author,
        (c) => c.authorId,
        (c) => c.authorEmail,
        (c) => c.authorName,
        (c) => c.forgejoCommentId,
        (c) => c.createdAt,
        (c) => c.editedAt,
        (c) => c.syncError,
        (c) => c.syncFailedAt,
      ]),
    );
  }
  const changed = commentChanges.filter((c) => !c.removed);
  if (changed.length) {
    await db.query(
      UPDATE_COMMENTS(tables),
      columns(changed, [
        (c) => c.id,
        (c) => c.forgejoCommentId !== null,
        (c) => c.forgejoCommentId?.value ?? null,
        (c) => c.edit !== null,
        (c) => c.edit?.body ?? null,
        (c) => c.edit?.at ?? null,
        (c) => c.sync !== null,
        (c) => c.sync?.error ?? null,
        (c) => c.sync?.at ?? null,
      ]),
    );
  }
  const removed = [...newComments.filter((c) => c.removed), ...commentChanges.filter((c) => c.removed)].map((c) => c.id);
  if (removed.length) await db.query(DELETE_COMMENTS(tables), [removed]);
}
