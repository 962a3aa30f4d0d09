import type { KnownComment, LinkedIssueTicket } from '../../../read-models/src/index.js';
import type { ForgejoListedComment, ForgejoListedIssue } from '../client/forgejo-client.js';
import type { ForgejoChange } from '../inbound/forgejo-changes.js';
import { isOwnComment, replyTextOf, type ReplyMode } from '../inbound/reply-text.js';

/** A change reconcile read back, for one slug's ticket, and when Forgejo last touched what it is about. */
export interface MissedChange {
  slug: string;
  change: ForgejoChange;
  at: string;
}

export interface ReadModelView {
  tickets: LinkedIssueTicket[];
  comments: KnownComment[];
  /** tickets the customer reopened whose reopen has not reached Forgejo yet: Forgejo still shows their old close */
  reopensOwed: Set<string>;
  replyModes: Map<string, ReplyMode>;
}

const ISSUE_URL = /\/issues\/(\d+)$/;

/** The issue a listed comment is on, or null for a pull request's comment (Forgejo fills `pull_request_url` then). */
export function issueNumberOfComment(comment: ForgejoListedComment): number | null {
  if (comment.pull_request_url) return null;
  const match = ISSUE_URL.exec(comment.issue_url ?? '');
  return match ? Number(match[1]) : null;
}

/**
 * Pure: what the read-back lists show that the read model does not, as the changes a webhook would have brought.
 * An issue's state is compared with its ticket's; a comment with the ticket's own copy of it. A deleted comment is
 * in no `since` list: deleted replies are found by asking their issues (reply-deletions.ts).
 */
export function missedChanges(
  repository: { owner: string; name: string },
  issues: ForgejoListedIssue[],
  comments: ForgejoListedComment[],
  view: ReadModelView,
): MissedChange[] {
  const ticketsOf = new Map<number, LinkedIssueTicket[]>();
  for (const ticket of view.tickets) ticketsOf.set(ticket.issueNumber, [...(ticketsOf.get(ticket.issueNumber) ?? []), ticket]);
  const known = new Map(view.comments.map((comment) => [`${comment.ticketId}:${comment.forgejoCommentId}`, comment]));
  const missed: MissedChange[] = [];

  for (const issue of issues) {
    if (issue.pull_request) continue;
    for (const ticket of ticketsOf.get(issue.number) ?? []) {
      const base = { kind: 'issue' as const, repository, issueNumber: issue.number, login: null };
      if (issue.state === 'closed' && ticket.status === 'open' && !view.reopensOwed.has(ticket.id)) {
        missed.push({ slug: ticket.slug, change: { ...base, action: 'closed' }, at: issue.updated_at });
      }
      // open since before the ticket's close: a list read before a close that has landed since, not a reopen
      if (issue.state === 'open' && ticket.status === 'closed' && (ticket.closedAt === null || Date.parse(issue.updated_at) > ticket.closedAt.getTime())) {
        missed.push({ slug: ticket.slug, change: { ...base, action: 'reopened' }, at: issue.updated_at });
      }
    }
  }

  for (const comment of comments) {
    const issueNumber = issueNumberOfComment(comment);
    if (issueNumber === null) continue;
    for (const ticket of ticketsOf.get(issueNumber) ?? []) {
      const action = commentAction(comment, known.get(`${ticket.id}:${comment.id}`), view.replyModes.get(ticket.slug) ?? 'marked');
      if (action === null) continue;
      const user = comment.user ?? {};
      const change: ForgejoChange = {
        kind: 'comment',
        action,
        repository,
        issueNumber,
        login: user.login || null,
        comment: { id: comment.id, body: comment.body, authorName: user.full_name || user.login || 'the team' },
      };
      missed.push({ slug: ticket.slug, change, at: comment.updated_at });
    }
  }
  return missed.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** `created` for a reply the ticket does not hold, `edited` for one whose text differs from the ticket's copy. */
function commentAction(comment: ForgejoListedComment, known: KnownComment | undefined, mode: ReplyMode): 'created' | 'edited' | null {
  const text = isOwnComment(comment.body) ? null : replyTextOf(comment.body, mode);
  if (known === undefined) return text === null ? null : 'created';
  // the service's own mirrored comment
  if (known.author === 'customer') return null;
  return text === known.body ? null : 'edited';
}
