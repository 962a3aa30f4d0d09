import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../../database/src/index.js';
import type { ForgejoRepository } from './ticket-by-issue.query.js';

/** A Forgejo repository that holds linked tickets, with the slugs whose tickets live there. */
export interface LinkedRepository extends ForgejoRepository {
  /** owner/name lower-cased: Forgejo compares them without regard to case */
  key: string;
  slugs: string[];
  /** when its oldest linked ticket was filed: how far back a first look goes */
  firstCreatedAt: Date;
}

export interface LinkedIssueTicket {
  id: string;
  slug: string;
  issueNumber: number;
  status: 'open' | 'closed';
  closedAt: Date | null;
}

/** A team reply a ticket holds (not removed), by the Forgejo comment it came from. */
export interface LiveTeamReply {
  ticketId: string;
  slug: string;
  issueNumber: number;
  forgejoCommentId: number;
}

export interface KnownComment {
  ticketId: string;
  forgejoCommentId: number;
  author: 'customer' | 'team';
  body: string;
}

// a link recorded before the repository was kept (owner and name null) lives in its slug's current repository
const OWNER = 'coalesce(t.forgejo_owner, r.owner)';
const NAME = 'coalesce(t.forgejo_name, r.name)';

/**
 * What reconcile asks the read model: where linked tickets live, which tickets the changed issues are, what comments
 * they know, which team replies they hold.
 */
@Injectable()
export class ReconcileQueries {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async linkedRepositories(): Promise<LinkedRepository[]> {
    const { rows } = await this.pool.query<{ key: string; owner: string; name: string; slugs: string[]; first_created_at: Date }>({
      name: 'reconcile_linked_repositories',
      text: `SELECT lower(${OWNER}) || '/' || lower(${NAME}) AS key, min(${OWNER}) AS owner, min(${NAME}) AS name,
                    array_agg(DISTINCT t.repo) AS slugs, min(t.created_at) AS first_created_at
             FROM tickets t LEFT JOIN repos r ON r.slug = t.repo
             WHERE t.forgejo_issue_number IS NOT NULL AND ${OWNER} IS NOT NULL AND ${NAME} IS NOT NULL
             GROUP BY 1 ORDER BY 1`,
    });
    return rows.map((row) => ({ key: row.key, owner: row.owner, name: row.name, slugs: row.slugs, firstCreatedAt: row.first_created_at }));
  }

  /** The tickets linked to these issues of the repository. */
  async ticketsOfIssues(repository: ForgejoRepository, issueNumbers: number[]): Promise<LinkedIssueTicket[]> {
    if (issueNumbers.length === 0) return [];
    const { rows } = await this.pool.query<{ id: string; repo: string; forgejo_issue_number: number; status: 'open' | 'closed'; closed_at: Date | null }>({
      name: 'reconcile_tickets_of_issues',
      text: `SELECT t.id, t.repo, t.forgejo_issue_number, t.status, t.closed_at
             FROM tickets t LEFT JOIN repos r ON r.slug = t.repo
             WHERE t.forgejo_issue_number = ANY($3::int[]) AND lower(${OWNER}) = lower($1) AND lower(${NAME}) = lower($2)`,
      values: [repository.owner, repository.name, issueNumbers],
    });
    return rows.map((row) => ({ id: row.id, slug: row.repo, issueNumber: row.forgejo_issue_number, status: row.status, closedAt: row.closed_at }));
  }

  /** The comments (mirrored customer comments and team replies) these tickets hold for these Forgejo comments. */
  async knownComments(ticketIds: string[], forgejoCommentIds: number[]): Promise<KnownComment[]> {
    if (ticketIds.length === 0 || forgejoCommentIds.length === 0) return [];
    const { rows } = await this.pool.query<{ ticket_id: string; forgejo_comment_id: string; author: 'customer' | 'team'; body: string }>({
      name: 'reconcile_known_comments',
      text: `SELECT ticket_id, forgejo_comment_id, author, body FROM comments
             WHERE ticket_id = ANY($1::uuid[]) AND forgejo_comment_id = ANY($2::bigint[])`,
      values: [ticketIds, forgejoCommentIds],
    });
    return rows.map((row) => ({ ticketId: row.ticket_id, forgejoCommentId: Number(row.forgejo_comment_id), author: row.author, body: row.body }));
  }

  /** The team replies the tickets linked to these issues of the repository still hold: what a deleted comment takes away. */
  async liveTeamReplies(repository: ForgejoRepository, issueNumbers: number[]): Promise<LiveTeamReply[]> {
    if (issueNumbers.length === 0) return [];
    const { rows } = await this.pool.query<{ id: string; repo: string; forgejo_issue_number: number; forgejo_comment_id: string }>({
      name: 'reconcile_live_team_replies',
      text: `SELECT t.id, t.repo, t.forgejo_issue_number, c.forgejo_comment_id
             FROM tickets t LEFT JOIN repos r ON r.slug = t.repo
             JOIN comments c ON c.ticket_id = t.id AND c.author = 'team' AND c.forgejo_comment_id IS NOT NULL
             WHERE t.forgejo_issue_number = ANY($3::int[]) AND lower(${OWNER}) = lower($1) AND lower(${NAME}) = lower($2)
             ORDER BY t.forgejo_issue_number, c.forgejo_comment_id`,
      values: [repository.owner, repository.name, issueNumbers],
    });
    return rows.map((row) => ({ ticketId: row.id, slug: row.repo, issueNumber: row.forgejo_issue_number, forgejoCommentId: Number(row.forgejo_comment_id) }));
  }
}
