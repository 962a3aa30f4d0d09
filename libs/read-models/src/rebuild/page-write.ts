import type pg from 'pg';
import type { TicketTables } from '../tickets/tickets.projection.js';
import type { FoldedPage } from './page-fold.js';

/*
 * A folded page written in a few multi-row statements (unnest of one array per column): each row the page
 * creates is inserted once, whole; each stored row it changes is updated once. Runs in the caller's transaction.
 */

const STORED_COMMENTS = (t: TicketTables) => `SELECT id, ticket_id FROM ${t.comments} WHERE id = ANY($1::uuid[])`;

// the retry clears every comment of the ticket; those the page changes by id carry their own outcome
const CLEAR_RETRIED = (t: TicketTables) => `
  UPDATE ${t.comments} SET forgejo_sync_error = NULL, forgejo_sync_failed_at = NULL
  WHERE ticket_id = ANY($1::uuid[]) AND NOT (id = ANY($2::uuid[]))`;

const INSERT_TICKETS = (t: TicketTables) => `
  INSERT INTO ${t.tickets} (id, seq, owner_id, owner_email, repo, title, description, status, forgejo_issue_number, forgejo_owner,
    forgejo_name, created_at, updated_at, closed_at, forgejo_reopens_owed, forgejo_sync_error, forgejo_sync_failed_at, stream_revision)
  SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[],
    $10::text[], $11::text[], $12::timestamptz[], $13::timestamptz[], $14::timestamptz[], $15::int[], $16::text[], $17::timestamptz[], $18::int[])`;

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

const INSERT_COMMENTS = (t: TicketTables) => `
  INSERT INTO ${t.comments} (id, ticket_id, revision, body, author, author_id, author_email, author_name, forgejo_comment_id, created_at,
    edited_at, forgejo_sync_error, forgejo_sync_failed_at)
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::text[], $6::uuid[], $7::text[], $8::text[], $9::bigint[],
    $10::timestamptz[], $11::timestamptz[], $12::text[], $13::timestamptz[])`;

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

/** The stored comments among `ids`, each with its ticket: what `foldPage` needs to know of earlier pages. */
export async function storedComments(db: pg.ClientBase, tables: TicketTables, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; ticket_id: string }>(STORED_COMMENTS(tables), [ids]);
  return new Map(rows.map((row) => [row.id, row.ticket_id]));
}

/** Column arrays of `rows`, one per getter. */
const columns = <T>(rows: T[], getters: Array<(row: T) => unknown>) => getters.map((get) => rows.map(get));
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function writeFoldedPage(db: pg.ClientBase, tables: TicketTables, page: FoldedPage): Promise<void> {
  const { newTickets, ticketChanges, newComments, commentChanges, retriedTickets } = page;
  if (retriedTickets.length) await db.query(CLEAR_RETRIED(tables), [retriedTickets, commentChanges.map((c) => c.id)]);
  if (newTickets.length) {
    await db.query(
      INSERT_TICKETS(tables),
      columns(newTickets, [
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
    await db.query(
      INSERT_COMMENTS(tables),
      columns(newComments, [
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
