import type pg from 'pg';
import type { RecordedEvent } from '../../../event-store/src/index.js';
import type { InlineCapableProjection } from '../../../projections/src/index.js';
import type { TicketEvent } from '../../../ticket-domain/src/ticket.events.js';

/** Where the projection writes: the live tables, or a rebuild's fresh ones. */
export interface TicketTables {
  tickets: string;
  comments: string;
}

export const LIVE_TABLES: TicketTables = { tickets: 'tickets', comments: 'comments' };

const asTicketEvent = (recorded: RecordedEvent) => ({ type: recorded.type, data: recorded.data }) as TicketEvent;

/**
 * Everything but the inserts: each statement is idempotent or order-free (`greatest`), so a bulk replay
 * may run all inserts of a page first and then these in event order, and end where one-by-one would.
 */
async function applyChange(event: TicketEvent, db: pg.ClientBase, { tickets, comments }: TicketTables): Promise<void> {
  switch (event.type) {
    case 'ForgejoIssueLinked':
      // links recorded before the repository was kept leave owner and name null: the slug's repository then
      await db.query(
        `UPDATE ${tickets} SET forgejo_issue_number = $2, forgejo_owner = $4, forgejo_name = $5, updated_at = greatest(updated_at, $3) WHERE id = $1`,
        [event.data.ticketId, event.data.issueNumber, event.data.linkedAt, event.data.owner ?? null, event.data.name ?? null],
      );
      return;
    case 'ForgejoCommentLinked':
      await db.query(`UPDATE ${comments} SET forgejo_comment_id = $2 WHERE id = $1`, [event.data.commentId, event.data.forgejoCommentId]);
      return;
    case 'IssueClosed':
      await db.query(`UPDATE ${tickets} SET status = 'closed', closed_at = $2, updated_at = greatest(updated_at, $2) WHERE id = $1`, [
        event.data.ticketId,
        event.data.closedAt,
      ]);
      return;
    case 'TicketReopened':
      await db.query(
        `UPDATE ${tickets} SET status = 'open', closed_at = NULL, updated_at = greatest(updated_at, $2),
           forgejo_reopens_owed = forgejo_reopens_owed + $3 WHERE id = $1`,
        [event.data.ticketId, event.data.reopenedAt, event.data.reopenedBy === 'customer' ? 1 : 0],
      );
      return;
    case 'ForgejoIssueReopened':
      await db.query(`UPDATE ${tickets} SET forgejo_reopens_owed = greatest(0, forgejo_reopens_owed - 1) WHERE id = $1`, [event.data.ticketId]);
      return;
    case 'ForgejoIssueSyncFailed':
      await db.query(`UPDATE ${tickets} SET forgejo_sync_error = $2, forgejo_sync_failed_at = $3 WHERE id = $1`, [
        event.data.ticketId,
        event.data.reason,
        event.data.failedAt,
      ]);
      return;
    case 'ForgejoCommentSyncFailed':
      await db.query(`UPDATE ${comments} SET forgejo_sync_error = $2, forgejo_sync_failed_at = $3 WHERE id = $1`, [
        event.data.commentId,
        event.data.reason,
        event.data.failedAt,
      ]);
      return;
    case 'TeamReplyEdited':
      await db.query(
        `WITH reply AS (UPDATE ${comments} SET body = $2, edited_at = $3 WHERE id = $1)
         UPDATE ${tickets} SET updated_at = greatest(updated_at, $3) WHERE id = $4`,
        [event.data.replyId, event.data.body, event.data.editedAt, event.data.ticketId],
      );
      return;
    case 'TeamReplyRemoved':
      // the reply leaves the conversation; its versions stay in the ticket's history
      await db.query(
        `WITH reply AS (DELETE FROM ${comments} WHERE id = $1)
         UPDATE ${tickets} SET updated_at = greatest(updated_at, $2) WHERE id = $3`,
        [event.data.replyId, event.data.removedAt, event.data.ticketId],
      );
      return;
    case 'ForgejoSyncRetryRequested':
      await db.query(
        `WITH ticket AS (UPDATE ${tickets} SET forgejo_sync_error = NULL, forgejo_sync_failed_at = NULL WHERE id = $1)
         UPDATE ${comments} SET forgejo_sync_error = NULL, forgejo_sync_failed_at = NULL WHERE ticket_id = $1`,
        [event.data.ticketId],
      );
      return;
    default:
      return;
  }
}

const INSERT_TICKETS = (t: TicketTables) => `
  INSERT INTO ${t.tickets} (id, seq, owner_id, owner_email, repo, title, description, status, created_at, updated_at, stream_revision)
  SELECT id, seq, owner_id, owner_email, repo, title, description, 'open', created_at, created_at, stream_revision
  FROM unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::int[])
    AS r(id, seq, owner_id, owner_email, repo, title, description, created_at, stream_revision)
  RETURNING ${REBUILD_UNDER_WAY} AS rebuilding`;

// the last revision of its stream a ticket's row shows: what lets the inline and the async path each skip the other's
const MARK_REVISIONS = (t: TicketTables) => `
  UPDATE ${t.tickets} SET stream_revision = r.revision
  FROM unnest($1::uuid[], $2::int[]) AS r(id, revision)
  WHERE ${t.tickets}.id = r.id AND ${t.tickets}.stream_revision < r.revision`;

const SHOWN_REVISIONS = (t: TicketTables) => `SELECT id, stream_revision FROM ${t.tickets} WHERE id = ANY($1::uuid[])`;

/*
 * An online rebuild (rebuild/rebuild.ts) fills fresh tables up to the live checkpoint, and what the live tables got
 * inline past it reaches the fresh ones only through the async runner, after the switch: while one is under way
 * (its fresh table exists), an inline append still applies the live tables but lets its answer wait for the runner.
 */
const REBUILD_UNDER_WAY = `to_regclass('tickets_rebuild') IS NOT NULL`;

// an inline append goes on from the row only when the row shows every earlier event of the stream
const CLAIM_NEXT = (t: TicketTables) => `
  UPDATE ${t.tickets} SET stream_revision = $3 WHERE id = $1 AND stream_revision = $2 - 1
  RETURNING ${REBUILD_UNDER_WAY} AS rebuilding`;

const TICKET_STREAM = /^ticket-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** The ticket a ticket stream is of; null for any other stream (those events are applied as they come). */
const ticketOfStream = (streamId: string): string | null => TICKET_STREAM.exec(streamId)?.[1].toLowerCase() ?? null;

const INSERT_COMMENTS = (t: TicketTables) => `
  WITH added AS (
    INSERT INTO ${t.comments} (id, ticket_id, revision, body, author_id, author_email, created_at)
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::uuid[], $6::text[], $7::timestamptz[])
    RETURNING ticket_id, created_at
  )
  UPDATE ${t.tickets} SET updated_at = greatest(${t.tickets}.updated_at, latest.at)
  FROM (SELECT ticket_id, max(created_at) AS at FROM added GROUP BY ticket_id) latest
  WHERE ${t.tickets}.id = latest.ticket_id`;

// a team reply is a comment of its ticket, in the same revision order; who wrote it is data
const INSERT_REPLIES = (t: TicketTables) => `
  WITH added AS (
    INSERT INTO ${t.comments} (id, ticket_id, revision, body, author, author_name, forgejo_comment_id, created_at)
    SELECT id, ticket_id, revision, body, 'team', author_name, forgejo_comment_id, created_at
    FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::text[], $6::bigint[], $7::timestamptz[])
      AS r(id, ticket_id, revision, body, author_name, forgejo_comment_id, created_at)
    RETURNING ticket_id, created_at
  )
  UPDATE ${t.tickets} SET updated_at = greatest(${t.tickets}.updated_at, latest.at)
  FROM (SELECT ticket_id, max(created_at) AS at FROM added GROUP BY ticket_id) latest
  WHERE ${t.tickets}.id = latest.ticket_id`;

/**
 * Applies a run of events: inserts in bulk (one statement per table), then every other change in order. Says
 * whether a rebuild is under way when a new ticket's insert told it (null otherwise).
 */
export async function applyTicketEvents(
  events: RecordedEvent[],
  db: pg.ClientBase,
  tables: TicketTables = LIVE_TABLES,
  { markRevisions = true }: { markRevisions?: boolean } = {},
): Promise<{ rebuilding: boolean | null }> {
  const tickets: unknown[][] = [[], [], [], [], [], [], [], [], []];
  const comments: unknown[][] = [[], [], [], [], [], [], []];
  const replies: unknown[][] = [[], [], [], [], [], [], []];
  const changes: TicketEvent[] = [];
  for (const recorded of events) {
    const event = asTicketEvent(recorded);
    if (event.type === 'TicketCreated') {
      const d = event.data;
      [d.ticketId, recorded.position.prepare.toString(), d.customerId, d.customerEmail, d.repo, d.title, d.description, d.createdAt, recorded.revision].forEach(
        (value, i) => tickets[i].push(value),
      );
    } else if (event.type === 'CommentAdded') {
      const d = event.data;
      [d.commentId, d.ticketId, recorded.revision, d.body, d.authorId, d.authorEmail, d.createdAt].forEach((value, i) => comments[i].push(value));
    } else if (event.type === 'TeamReplyAdded') {
      const d = event.data;
      [d.replyId, d.ticketId, recorded.revision, d.body, d.authorName, d.forgejoCommentId, d.createdAt].forEach((value, i) => replies[i].push(value));
    } else {
      changes.push(event);
    }
  }
  // a new ticket's insert also tells whether a rebuild is under way (see REBUILD_UNDER_WAY): no statement of its own
  let rebuilding: boolean | null = null;
  if (tickets[0].length) rebuilding = (await db.query<{ rebuilding: boolean }>(INSERT_TICKETS(tables), tickets)).rows[0]?.rebuilding ?? null;
  if (comments[0].length) await db.query(INSERT_COMMENTS(tables), comments);
  if (replies[0].length) await db.query(INSERT_REPLIES(tables), replies);
  for (const change of changes) await applyChange(change, db, tables);
  if (markRevisions) await markShownRevisions(events, db, tables);
  return { rebuilding };
}

/** Records, on each ticket's row, the last revision of its stream applied; a TicketCreated's insert did already. */
async function markShownRevisions(events: RecordedEvent[], db: pg.ClientBase, tables: TicketTables): Promise<void> {
  const last = new Map<string, number>();
  for (const event of events) {
    const ticketId = ticketOfStream(event.streamId);
    if (ticketId && event.type !== 'TicketCreated' && event.revision > (last.get(ticketId) ?? -1)) last.set(ticketId, event.revision);
  }
  if (last.size > 0) await db.query(MARK_REVISIONS(tables), [[...last.keys()], [...last.values()]]);
}

/** The events whose ticket row does not show them yet: the other path (inline or async) may have applied them. */
async function notShownYet(events: RecordedEvent[], db: pg.ClientBase, tables: TicketTables): Promise<RecordedEvent[]> {
  const ticketIds = [...new Set(events.map((event) => ticketOfStream(event.streamId)).filter((id): id is string => id !== null))];
  if (ticketIds.length === 0) return events;
  const { rows } = await db.query<{ id: string; stream_revision: number }>(SHOWN_REVISIONS(tables), [ticketIds]);
  const shown = new Map(rows.map((row) => [row.id, row.stream_revision]));
  return events.filter((event) => {
    const ticketId = ticketOfStream(event.streamId);
    const revision = ticketId === null ? undefined : shown.get(ticketId);
    return revision === undefined || event.revision > revision;
  });
}

/** Applies what the row does not show yet: the async runner's way, which never applies an event twice. */
async function applyNotShown(events: RecordedEvent[], db: pg.ClientBase): Promise<void> {
  const pending = await notShownYet(events, db, LIVE_TABLES);
  if (pending.length > 0) await applyTicketEvents(pending, db);
}

/**
 * Inside the append's transaction: the events of one ticket stream, just inserted. Applied when the row shows
 * every earlier event of the stream (or the stream is new); else (an earlier event still on its way through the
 * async runner, or parked) left to the runner, which applies them in order.
 */
async function applyJustAppended(events: RecordedEvent[], db: pg.ClientBase): Promise<boolean> {
  const ticketId = ticketOfStream(events[0].streamId);
  if (ticketId === null) return false;
  const first = events[0].revision;
  if (first === 0) {
    const { rebuilding } = await applyTicketEvents(events, db);
    if (rebuilding !== null) return !rebuilding;
    const { rows } = await db.query<{ rebuilding: boolean }>({ name: 'tickets_rebuild_under_way', text: `SELECT ${REBUILD_UNDER_WAY} AS rebuilding` });
    return !rows[0].rebuilding;
  }
  const claimed = await db.query<{ rebuilding: boolean }>({
    name: 'tickets_claim_next',
    text: CLAIM_NEXT(LIVE_TABLES),
    values: [ticketId, first, events[events.length - 1].revision],
  });
  if (claimed.rows.length !== 1) return false;
  await applyTicketEvents(events, db, LIVE_TABLES, { markRevisions: false });
  return !claimed.rows[0].rebuilding;
}

/** The tickets and comments tables, from ticket events. Timestamps come from the events, so a rebuild is equal. */
export const ticketsProjection: InlineCapableProjection = {
  name: 'tickets',
  apply: (event, db) => applyNotShown([event], db),
  applyBatch: (events, db) => applyNotShown(events, db),
  applyInline: applyJustAppended,
};
