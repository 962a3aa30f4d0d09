import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../../database/src/index.js';

/**
 * The tickets that may still owe Forgejo something: an unlinked issue or comment with no recorded failure, or a
 * customer's reopen not yet mirrored. A coarse filter only: what each one owes is decided by the domain's one
 * rule (owedSyncs) on its state.
 */
@Injectable()
export class OwedSyncsQuery {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async ticketIds(): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT id FROM tickets WHERE forgejo_issue_number IS NULL AND forgejo_sync_failed_at IS NULL
       UNION
       SELECT c.ticket_id FROM comments c WHERE c.forgejo_comment_id IS NULL AND c.forgejo_sync_failed_at IS NULL
       UNION
       SELECT id FROM tickets WHERE forgejo_reopens_owed > 0`,
    );
    return rows.map((row) => row.id);
  }
}
