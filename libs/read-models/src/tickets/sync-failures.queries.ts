import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../../database/src/index.js';
import { listParkedEvents, type ParkedEvent } from '../../../projections/src/parked-events.js';

export interface TicketSyncFailure {
  ticketId: string;
  repo: string;
  title: string;
  reason: string;
  failedAt: string;
}

export interface CommentSyncFailure {
  commentId: string;
  ticketId: string;
  reason: string;
  failedAt: string;
}

export interface SyncFailures {
  tickets: TicketSyncFailure[];
  comments: CommentSyncFailure[];
  /** Events a read model could not apply and set aside (the rest of the read models goes on). */
  parkedEvents: ParkedEvent[];
}

/** The Forgejo syncs that gave up and were not retried since (the read models' forgejo_sync_* columns). */
@Injectable()
export class SyncFailuresQueries {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** Newest failure first. */
  async list(): Promise<SyncFailures> {
    const [tickets, comments, parkedEvents] = await Promise.all([
      this.pool.query<{ id: string; repo: string; title: string; forgejo_sync_error: string; forgejo_sync_failed_at: Date }>(
        `SELECT id, repo, title, forgejo_sync_error, forgejo_sync_failed_at FROM tickets
          WHERE forgejo_sync_failed_at IS NOT NULL ORDER BY forgejo_sync_failed_at DESC, seq DESC`,
      ),
      this.pool.query<{ id: string; ticket_id: string; forgejo_sync_error: string; forgejo_sync_failed_at: Date }>(
        `SELECT id, ticket_id, forgejo_sync_error, forgejo_sync_failed_at FROM comments
          WHERE forgejo_sync_failed_at IS NOT NULL ORDER BY forgejo_sync_failed_at DESC, ticket_id, revision DESC`,
      ),
      listParkedEvents(this.pool),
    ]);
    return {
      tickets: tickets.rows.map((row) => ({
        ticketId: row.id,
        repo: row.repo,
        title: row.title,
        reason: row.forgejo_sync_error,
        failedAt: row.forgejo_sync_failed_at.toISOString(),
      })),
      comments: comments.rows.map((row) => ({
        commentId: row.id,
        ticketId: row.ticket_id,
        reason: row.forgejo_sync_error,
        failedAt: row.forgejo_sync_failed_at.toISOString(),
      })),
      parkedEvents,
    };
  }
}
