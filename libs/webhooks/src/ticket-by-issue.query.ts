import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../database/src/index.js';

export interface LinkedTicket {
  id: string;
  status: 'open' | 'closed';
}

/** The read model's lookup by repo slug and Forgejo issue number (unique together). */
@Injectable()
export class TicketByIssueQuery {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async find(repo: string, issueNumber: number): Promise<LinkedTicket | null> {
    const { rows } = await this.pool.query<LinkedTicket>({
      name: 'webhook_ticket_by_issue',
      text: 'SELECT id, status FROM tickets WHERE repo = $1 AND forgejo_issue_number = $2',
      values: [repo, issueNumber],
    });
    return rows[0] ?? null;
  }
}
