import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { ReconcileQueries, type LinkedRepository } from '../../../read-models/src/index.js';
import type { ForgejoListedIssue } from '../client/forgejo-client.js';
import type { MissedChange } from './changes-of-lists.js';
import { deletedReplies, issuesToCheck } from './deleted-replies.js';
import { IssueCommentIds } from './issue-comment-ids.js';

/** Issues asked for their comments at once: a handful, so a pass neither crawls nor floods Forgejo. */
const CONCURRENCY = 4;

export interface FoundDeletions {
  changes: MissedChange[];
  requests: number;
  /** false when the window's issues to ask were more than the budget: none was asked */
  complete: boolean;
}

/**
 * The team replies deleted in Forgejo since the last look: of the window's issues (a deletion bumps its issue's
 * updated_at), those whose tickets hold live replies are asked for their comments, and each reply whose comment
 * is gone becomes a `comment/deleted` change. The read model is asked first: a reply it holds was in Forgejo
 * before, so its absence from the answer that follows is a deletion.
 */
@Injectable()
export class ReplyDeletions {
  constructor(
    private readonly queries: ReconcileQueries,
    private readonly comments: IssueCommentIds,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('ForgejoReconcile');
  }

  /**
   * At most `budget` requests. More issues to ask than that: incomplete (the window is to be narrowed), unless
   * `leaveOut` (a window no narrower can be read): then the least recently updated that fit are asked, the others
   * left, with a warning.
   */
  async find(repository: LinkedRepository, issues: ForgejoListedIssue[], budget: number, leaveOut: boolean): Promise<FoundDeletions> {
    const replies = await this.queries.liveTeamReplies(repository, issues.filter((issue) => !issue.pull_request).map((issue) => issue.number));
    const wanted = issuesToCheck(issues, replies);
    if (wanted.length > budget && !leaveOut) return { changes: [], requests: 0, complete: false };
    const checked = wanted.slice(0, Math.max(0, budget));
    if (checked.length < wanted.length) {
      this.logger.warn({ repository: repository.key, left: wanted.length - checked.length }, 'more issues with replies changed at once than one pass may ask: their deletions are not looked for');
    }
    const listed = new Map<number, Set<number>>();
    const queue = [...checked];
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
        for (let issue = queue.shift(); issue !== undefined; issue = queue.shift()) {
          const ids = await this.comments.of(repository.owner, repository.name, issue.number);
          // an issue deleted since the list was read: its ticket keeps its replies
          if (ids !== null) listed.set(issue.number, ids);
        }
      }),
    );
    return { changes: deletedReplies(repository, checked, listed, replies), requests: checked.length, complete: true };
  }
}
