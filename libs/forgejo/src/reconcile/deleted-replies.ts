import type { ForgejoRepository, LiveTeamReply } from '../../../read-models/src/index.js';
import type { ForgejoListedIssue } from '../client/forgejo-client.js';
import type { MissedChange } from './changes-of-lists.js';

/**
 * Which of a window's issues to ask for their comments (one request each): those whose tickets hold live team
 * replies, least recently updated first. A deleted comment is in no `since` list, but Forgejo
 * bumps its issue's updated_at (DeleteComment updates the issue's num_comments, and xorm stamps the `updated`
 * column), so a deletion since the last look is on an issue of the window.
 */
export function issuesToCheck(issues: ForgejoListedIssue[], replies: LiveTeamReply[]): ForgejoListedIssue[] {
  const withReplies = new Set(replies.map((reply) => reply.issueNumber));
  return issues
    .filter((issue) => !issue.pull_request && withReplies.has(issue.number))
    .sort((a, b) => Date.parse(a.updated_at) - Date.parse(b.updated_at) || a.number - b.number);
}

/**
 * Pure: a `comment/deleted` change, as the webhook would have brought it, for each live team reply whose issue was
 * read back (`listed`: its comment ids now) and no longer has its comment. Dated by the issue's updated_at, which
 * the deletion bumped.
 */
export function deletedReplies(repository: ForgejoRepository, checked: ForgejoListedIssue[], listed: Map<number, Set<number>>, replies: LiveTeamReply[]): MissedChange[] {
  const updatedAt = new Map(checked.map((issue) => [issue.number, issue.updated_at]));
  const missed: MissedChange[] = [];
  for (const reply of replies) {
    const ids = listed.get(reply.issueNumber);
    const at = updatedAt.get(reply.issueNumber);
    if (ids === undefined || at === undefined || ids.has(reply.forgejoCommentId)) continue;
    missed.push({
      slug: reply.slug,
      change: {
        kind: 'comment',
        action: 'deleted',
        repository,
        issueNumber: reply.issueNumber,
        // who deleted it, Forgejo's comment list cannot say
        login: null,
        comment: { id: reply.forgejoCommentId, body: '', authorName: 'the team' },
      },
      at,
    });
  }
  return missed;
}
