import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../../database/src/index.js';
import { ticketsProjection } from './tickets.projection.js';
import {
  toCommentView,
  toTicketView,
  type CommentPage,
  type CommentView,
  type CommentRow,
  type TicketRow,
  type TicketView,
  type TicketWithComments,
} from './ticket.view.js';

export interface TicketPage {
  items: TicketView[];
  nextCursor: string | null;
}

export interface TicketFilter {
  ownerId?: string;
  status?: 'open' | 'closed';
  repo?: string;
}

// the cursor is the projection sequence of the last ticket shown, opaque to clients
export const encodeCursor = (seq: string) => Buffer.from(`t:${seq}`).toString('base64url');
export function decodeCursor(cursor: string): string | null {
  const match = /^t:(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString());
  return match ? match[1] : null;
}

// a comment cursor is the stream revision of the last comment shown
export const encodeCommentCursor = (revision: number) => Buffer.from(`c:${revision}`).toString('base64url');
export function decodeCommentCursor(cursor: string): number | null {
  const match = /^c:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString());
  return match ? Number(match[1]) : null;
}

/** GET /tickets/:id carries at most this many comments; the comments route pages at most this many. */
export const MAX_COMMENTS_PER_PAGE = 200;
/**
 * Bytes of comment text a page holds at most (always at least one comment): 200 comments of 65,535 non-ASCII
 * characters would be ~40 MB of text, several times over in a 128 MB heap while it is parsed and serialized.
 */
export const COMMENT_PAGE_BYTES = 2 * 1024 * 1024;

// Rows, not json_agg: the driver then holds each body once. The window sums the bodies' sizes (octet_length
// reads a stored value's size without fetching it), and `has_next` says whether another comment follows.
const COMMENT_PAGE = `
  SELECT id, ticket_id, revision, body, author, author_name, author_email, forgejo_comment_id, created_at, edited_at, has_next FROM (
    SELECT c.id, c.ticket_id, c.revision, c.body, c.author, c.author_name, c.author_email, c.forgejo_comment_id, c.created_at, c.edited_at,
           row_number() OVER w AS n,
           sum(octet_length(c.body)) OVER w AS upto,
           lead(c.revision) OVER w IS NOT NULL AS has_next
    FROM comments c
    WHERE c.ticket_id = $1 AND c.revision > $2
    WINDOW w AS (ORDER BY c.revision ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
  ) page
  WHERE n <= $3 AND (n = 1 OR upto <= $4)
  ORDER BY revision`;

/** Reads of the tickets read model. */
@Injectable()
export class TicketsQueries {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /**
   * A ticket just created, as findTicket shows it: from the row that its append's inline projection wrote and gave
   * back (AppendResult.answers: no read of its own), else read.
   */
  async createdTicket(ticketId: string, ownerId: string, answers?: Record<string, unknown>): Promise<TicketWithComments | null> {
    const row = answers?.[ticketsProjection.name] as TicketRow | undefined;
    if (row?.id === ticketId && row.owner_id === ownerId) return { ...toTicketView(row), comments: [], commentsNextCursor: null };
    return this.findTicket(ticketId, ownerId);
  }

  /**
   * One ticket with its first page of comments in order; null when it does not exist or (with ownerId) is
   * someone else's.
   */
  async findTicket(ticketId: string, ownerId?: string): Promise<TicketWithComments | null> {
    // whether it has comments comes with the row: a ticket without (every new one) takes one round trip, not two
    const { rows } = await this.pool.query<TicketRow & { has_comments: boolean }>({
      name: ownerId ? 'ticket_of_owner' : 'ticket_by_id',
      text: `SELECT t.*, EXISTS (SELECT 1 FROM comments c WHERE c.ticket_id = t.id) AS has_comments
               FROM tickets t WHERE t.id = $1 ${ownerId ? 'AND t.owner_id = $2' : ''}`,
      values: ownerId ? [ticketId, ownerId] : [ticketId],
    });
    if (rows.length === 0) return null;
    const comments = rows[0].has_comments ? await this.listComments(ticketId, MAX_COMMENTS_PER_PAGE, null) : { items: [], nextCursor: null };
    return { ...toTicketView(rows[0]), comments: comments.items, commentsNextCursor: comments.nextCursor };
  }

  /** A ticket's comments in order, after the cursor's comment: at most `limit`, and about COMMENT_PAGE_BYTES of text. */
  async listComments(ticketId: string, limit: number, afterRevision: number | null): Promise<CommentPage> {
    const { rows } = await this.pool.query<CommentRow & { has_next: boolean }>({
      name: 'comment_page',
      text: COMMENT_PAGE,
      values: [ticketId, afterRevision ?? -1, Math.min(limit, MAX_COMMENTS_PER_PAGE), COMMENT_PAGE_BYTES],
    });
    const last = rows[rows.length - 1];
    return { items: rows.map(toCommentView), nextCursor: last?.has_next ? encodeCommentCursor(last.revision) : null };
  }

  /** One comment, as its ticket's pages show it; null when the read model does not have it. */
  async findComment(commentId: string): Promise<CommentView | null> {
    const { rows } = await this.pool.query<CommentRow>({
      name: 'comment_by_id',
      text: 'SELECT id, ticket_id, revision, body, author, author_name, author_email, forgejo_comment_id, created_at, edited_at FROM comments WHERE id = $1',
      values: [commentId],
    });
    return rows[0] ? toCommentView(rows[0]) : null;
  }

  async ownsTicket(ticketId: string, ownerId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query({
      name: 'ticket_owned',
      text: 'SELECT 1 FROM tickets WHERE id = $1 AND owner_id = $2',
      values: [ticketId, ownerId],
    });
    return rowCount === 1;
  }

  /** Newest first, `limit` at a time, after the cursor's ticket. */
  async listTickets(filter: TicketFilter, limit: number, afterSeq: string | null): Promise<TicketPage> {
    const conditions: string[] = [];
    const values: unknown[] = [];
    const where = (sql: string, value: unknown) => {
      values.push(value);
      conditions.push(sql.replace('?', `$${values.length}`));
    };
    if (filter.ownerId) where('owner_id = ?', filter.ownerId);
    if (filter.status) where('status = ?', filter.status);
    if (filter.repo) where('repo = ?', filter.repo);
    if (afterSeq) where('seq < ?', afterSeq);
    values.push(limit + 1);
    const { rows } = await this.pool.query<TicketRow>(
      `SELECT * FROM tickets ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${values.length}`,
      values,
    );
    const page = rows.slice(0, limit);
    return {
      items: page.map(toTicketView),
      nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].seq) : null,
    };
  }
}
