import { describe, expect, it } from '@jest/globals';
import type { KnownComment, LinkedIssueTicket } from '../../../read-models/src/index.js';
import type { ForgejoListedComment, ForgejoListedIssue } from '../client/forgejo-client.js';
import { issueNumberOfComment, missedChanges, type ReadModelView } from './changes-of-lists.js';

const repository = { owner: 'acme', name: 'support-desk' };
const ticket = (issueNumber: number, status: 'open' | 'closed', closedAt: string | null = null, slug = 'desk'): LinkedIssueTicket => ({
  id: `t${issueNumber}-${slug}`,
  slug,
  issueNumber,
  status,
  closedAt: closedAt === null ? null : new Date(closedAt),
});
const issue = (number: number, state: 'open' | 'closed', updatedAt = '2026-12-01T10:00:00Z'): ForgejoListedIssue => ({ number, state, updated_at: updatedAt });
const comment = (id: number, issueNumber: number, body: string, edited = false): ForgejoListedComment => ({
  id,
  body,
  issue_url: `https://forgejo.example.com/acme/support-desk/issues/${issueNumber}`,
  pull_request_url: '',
  created_at: '2026-12-01T10:00:00Z',
  updated_at: edited ? '2026-12-01T10:05:00Z' : '2026-12-01T10:00:00Z',
  user: { login: 'alice', full_name: 'Alice Team' },
});
const view = (tickets: LinkedIssueTicket[], comments: KnownComment[] = [], reopensOwed: string[] = []): ReadModelView => ({
  tickets,
  comments,
  reopensOwed: new Set(reopensOwed),
  replyModes: new Map([['desk', 'marked']]),
});
const actions = (missed: ReturnType<typeof missedChanges>) => missed.map(({ slug, change }) => `${slug}:${change.kind}/${change.action}#${change.issueNumber}`);

describe('missedChanges: what the read-back lists show that the read model does not', () => {
  it('a closed issue of an open ticket is a close; of a closed ticket, nothing', () => {
    const missed = missedChanges(repository, [issue(1, 'closed'), issue(2, 'closed'), issue(3, 'closed')], [], view([ticket(1, 'open'), ticket(2, 'closed', '2026-12-01T10:00:01Z')]));
    expect(actions(missed)).toEqual(['desk:issue/closed#1']);
    expect(missed[0].change).toMatchObject({ repository, login: null });
  });

  it('a closed issue of a ticket the customer reopened, whose reopen has not reached Forgejo yet, is no close', () => {
    expect(missedChanges(repository, [issue(1, 'closed')], [], view([ticket(1, 'open')], [], ['t1-desk']))).toEqual([]);
  });

  it('an open issue of a closed ticket is a reopen only when Forgejo touched it after the close', () => {
    const tickets = [ticket(1, 'closed', '2026-12-01T09:00:00Z'), ticket(2, 'closed', '2026-12-01T11:00:00Z')];
    expect(actions(missedChanges(repository, [issue(1, 'open'), issue(2, 'open')], [], view(tickets)))).toEqual(['desk:issue/reopened#1']);
  });

  it('a pull request, or an issue no ticket is linked to, changes nothing', () => {
    expect(missedChanges(repository, [{ ...issue(1, 'closed'), pull_request: {} }, issue(9, 'closed')], [], view([ticket(1, 'open')]))).toEqual([]);
  });

  it('a reply the ticket does not hold is created; a comment that is no reply, a mirrored one, or a pull request’s, is not', () => {
    const comments = [
      comment(10, 1, '/reply on its way'),
      comment(11, 1, 'just a note'),
      comment(12, 1, '/reply the mirrored customer comment'),
      { ...comment(13, 1, '/reply on a pull'), issue_url: '', pull_request_url: 'https://forgejo.example.com/acme/support-desk/pulls/1' },
    ];
    const known: KnownComment[] = [{ ticketId: 't1-desk', forgejoCommentId: 12, author: 'customer', body: 'the mirrored customer comment' }];
    const missed = missedChanges(repository, [], comments, view([ticket(1, 'open')], known));
    expect(actions(missed)).toEqual(['desk:comment/created#1']);
    expect(missed[0].change).toMatchObject({ login: 'alice', comment: { id: 10, body: '/reply on its way', authorName: 'Alice Team' } });
  });

  it('a reply whose text differs from the ticket’s copy is edited; the same text changes nothing', () => {
    const known: KnownComment[] = [
      { ticketId: 't1-desk', forgejoCommentId: 10, author: 'team', body: 'old text' },
      { ticketId: 't1-desk', forgejoCommentId: 11, author: 'team', body: 'same text' },
    ];
    const comments = [comment(10, 1, '/reply new text', true), comment(11, 1, '/reply same text', true), comment(12, 1, 'unmarked now', true)];
    const missed = missedChanges(repository, [], comments, view([ticket(1, 'open')], [...known, { ticketId: 't1-desk', forgejoCommentId: 12, author: 'team', body: 'was marked' }]));
    expect(actions(missed)).toEqual(['desk:comment/edited#1', 'desk:comment/edited#1']);
    expect(missed.map((m) => m.change.kind === 'comment' && m.change.comment.id)).toEqual([10, 12]);
  });

  it('changes come out in the order Forgejo made them', () => {
    const missed = missedChanges(repository, [issue(1, 'closed', '2026-12-01T10:10:00Z')], [comment(10, 1, '/reply before the close')], view([ticket(1, 'open')]));
    expect(actions(missed)).toEqual(['desk:comment/created#1', 'desk:issue/closed#1']);
  });

  it('reads the issue number from issue_url', () => {
    expect(issueNumberOfComment(comment(1, 42, 'x'))).toBe(42);
    expect(issueNumberOfComment({ ...comment(1, 42, 'x'), issue_url: 'nonsense' })).toBeNull();
  });
});
