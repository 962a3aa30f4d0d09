import type pg from 'pg';
import type { TicketEvent } from '../../../ticket-domain/src/ticket.events.js';
import type { TicketTables } from './ticket-tables.js';

/**
 * Everything but the inserts: each statement is idempotent or order-free (`greatest`), so a bulk replay
 * may run all inserts of a page first and then these in event order, and end where one-by-one would.
 */
export async function applyChange(event: TicketEvent, db: pg.ClientBase, { tickets, comments }: TicketTables): Promise<void> {
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

