import type pg from 'pg';
import type { RecordedEvent } from '../../../event-store/src/index.js';
import type { Projection } from '../../../projections/src/index.js';
import type { TicketEvent } from '../../../tickets/src/domain/ticket.events.js';

/** The tickets and comments tables, from ticket events. Timestamps come from the events, so a rebuild is equal. */
export const ticketsProjection: Projection = {
  name: 'tickets',
  async apply(recorded: RecordedEvent, db: pg.ClientBase): Promise<void> {
    const event = { type: recorded.type, data: recorded.data } as TicketEvent;
    switch (event.type) {
      case 'TicketCreated': {
        const d = event.data;
        await db.query(
          `INSERT INTO tickets (id, owner_id, owner_email, repo, title, description, status, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $7)`,
          [d.ticketId, d.customerId, d.customerEmail, d.repo, d.title, d.description, d.createdAt],
        );
        return;
      }
      case 'CommentAdded': {
        const d = event.data;
        await db.query(
          `WITH touched AS (UPDATE tickets SET updated_at = greatest(updated_at, $7) WHERE id = $2)
           INSERT INTO comments (id, ticket_id, revision, body, author_id, author_email, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [d.commentId, d.ticketId, recorded.revision, d.body, d.authorId, d.authorEmail, d.createdAt],
        );
        return;
      }
      case 'ForgejoIssueLinked':
        await db.query('UPDATE tickets SET forgejo_issue_number = $2, updated_at = greatest(updated_at, $3) WHERE id = $1', [
          event.data.ticketId,
          event.data.issueNumber,
          event.data.linkedAt,
        ]);
        return;
      case 'ForgejoCommentLinked':
        await db.query('UPDATE comments SET forgejo_comment_id = $2 WHERE id = $1', [event.data.commentId, event.data.forgejoCommentId]);
        return;
      case 'IssueClosed':
        await db.query(
          `UPDATE tickets SET status = 'closed', closed_at = $2, updated_at = greatest(updated_at, $2) WHERE id = $1`,
          [event.data.ticketId, event.data.closedAt],
        );
        return;
      default:
        return;
    }
  },
};
