import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../../database/src/index.js';

/** A Forgejo repository, by owner and name (compared without regard to case). */
export interface ForgejoRepository {
  owner: string;
  name: string;
}

export interface LinkedTicket {
  id: string;
  status: 'open' | 'closed';
}

/**
 * The read model's lookup of a delivery's ticket: among the slug's tickets, the one whose issue lives in the
 * delivery's repository (any case) under that number. Links recorded before the repository was kept (owner and
 * name null) count as living in the slug's current repository.
 */
@Injectable()
export class TicketByIssueQuery {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async find(slug: string, repository: ForgejoRepository, issueNumber: number): Promise<LinkedTicket | null> {
    const { rows } = await this.pool.query<LinkedTicket>({
      name: 'webhook_ticket_by_issue',
      text: `SELECT t.id, t.status FROM tickets t
             WHERE t.repo = $1 AND t.forgejo_issue_number = $4
               AND ((lower(t.forgejo_owner) = lower($2) AND lower(t.forgejo_name) = lower($3))
                 OR (t.forgejo_owner IS NULL AND EXISTS (
                       SELECT 1 FROM repos r WHERE r.slug = $1 AND lower(r.owner) = lower($2) AND lower(r.name) = lower($3))))
             ORDER BY t.forgejo_owner IS NULL, t.seq DESC
             LIMIT 1`,
      values: [slug, repository.owner, repository.name, issueNumber],
    });
    return rows[0] ?? null;
  }

  /** Whether the repository is the slug's current one or holds any of its tickets' issues. */
  async isKnown(slug: string, repository: ForgejoRepository): Promise<boolean> {
    const { rows } = await this.pool.query<{ known: boolean }>({
      name: 'webhook_repository_known',
      text: `SELECT EXISTS (SELECT 1 FROM repos WHERE slug = $1 AND lower(owner) = lower($2) AND lower(name) = lower($3))
                 OR EXISTS (SELECT 1 FROM tickets WHERE repo = $1 AND lower(forgejo_owner) = lower($2) AND lower(forgejo_name) = lower($3)) AS known`,
      values: [slug, repository.owner, repository.name],
    });
    return rows[0].known;
  }
}
