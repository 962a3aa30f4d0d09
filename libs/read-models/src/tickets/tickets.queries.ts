import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../../database/src/index.js';
import { toCommentView, toTicketView, type CommentJson, type TicketRow, type TicketView, type TicketWithComments } from './ticket.view.js';

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

const COMMENTS_OF_TICKET = `coalesce((
  SELECT json_agg(json_build_object('id', c.id, 'ticket_id', c.ticket_id, 'body', c.body, 'author_email', c.author_email,
         'forgejo_comment_id', c.forgejo_comment_id, 'created_at', c.created_at) ORDER BY c.revision)
  FROM comments c WHERE c.ticket_id = t.id), '[]'::json) AS comments`;

/** Reads of the tickets read model. */
@Injectable()
export class TicketsQueries {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** One ticket with its comments in order; null when it does not exist or (with ownerId) is someone else's. */
  async findTicket(ticketId: string, ownerId?: string): Promise<TicketWithComments | null> {
    const { rows } = await this.pool.query<TicketRow & { comments: CommentJson[] }>({
      name: ownerId ? 'ticket_of_owner' : 'ticket_by_id',
      text: `SELECT t.*, ${COMMENTS_OF_TICKET} FROM tickets t WHERE t.id = $1 ${ownerId ? 'AND t.owner_id = $2' : ''}`,
      values: ownerId ? [ticketId, ownerId] : [ticketId],
    });
    if (rows.length === 0) return null;
    return { ...toTicketView(rows[0]), comments: rows[0].comments.map(toCommentView) };
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
