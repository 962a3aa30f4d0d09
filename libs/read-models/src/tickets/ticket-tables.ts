import type pg from 'pg';
import type { RecordedEvent } from '../../../event-store/src/index.js';
import type { TicketEvent } from '../../../ticket-domain/src/ticket.events.js';
import { applyChange } from './ticket-changes.js';

// What ticket events write to the tickets and comments tables: the live projection (inline or async) and the rebuild.

/** Where the projection writes: the live tables, or a rebuild's fresh ones. */
export interface TicketTables {
  tickets: string;
  comments: string;
}

export const LIVE_TABLES: TicketTables = { tickets: 'tickets', comments: 'comments' };

export const asTicketEvent = (recorded: Pick<RecordedEvent, 'type' | 'data'>) => ({ type: recorded.type, data: recorded.data }) as TicketEvent;

/** A new ticket row's columns, in the order its inserts give them (INSERT_TICKETS, and the projection's rendering). */
export const TICKET_ROW_COLUMNS = 'id, seq, owner_id, owner_email, repo, title, description, status, created_at, updated_at, stream_revision';

const INSERT_TICKETS = (t: TicketTables) => `
  INSERT INTO ${t.tickets} (${TICKET_ROW_COLUMNS})
  SELECT id, seq, owner_id, owner_email, repo, title, description, 'open', created_at, created_at, stream_revision
  FROM unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::int[])
    AS r(id, seq, owner_id, owner_email, repo, title, description, created_at, stream_revision)
  RETURNING ${REBUILD_UNDER_WAY} AS rebuilding`;

// the last revision of its stream a ticket's row shows: what lets the inline and the async path each skip the other's
const MARK_REVISIONS = (t: TicketTables) => `
  UPDATE ${t.tickets} SET stream_revision = r.revision
  FROM unnest($1::uuid[], $2::int[]) AS r(id, revision)
  WHERE ${t.tickets}.id = r.id AND ${t.tickets}.stream_revision < r.revision`;



/*
 * An online rebuild (rebuild/rebuild.ts) fills fresh tables up to the live checkpoint, and what the live tables got
 * inline past it reaches the fresh ones only through the async runner, after the switch: while one is under way
 * (its fresh table exists), an inline append still applies the live tables but lets its answer wait for the runner.
 */
export const REBUILD_UNDER_WAY = `to_regclass('tickets_rebuild') IS NOT NULL`;

const TICKET_STREAM = /^ticket-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** The ticket a ticket stream is of; null for any other stream (those events are applied as they come). */
export const ticketOfStream = (streamId: string): string | null => TICKET_STREAM.exec(streamId)?.[1].toLowerCase() ?? null;
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

