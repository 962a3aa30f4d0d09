import { describe, expect, it } from '@jest/globals';
import type { LiveTeamReply } from '../../../read-models/src/index.js';
import type { ForgejoListedIssue } from '../client/forgejo-client.js';
import { deletedReplies, issuesToCheck } from './deleted-replies.js';

const repository = { owner: 'acme', name: 'support-desk' };
const issue = (number: number, updatedAt = '2026-12-01T10:00:00Z'): ForgejoListedIssue => ({ number, state: 'open', updated_at: updatedAt });
const reply = (issueNumber: number, forgejoCommentId: number, slug = 'desk'): LiveTeamReply => ({ ticketId: `t${issueNumber}-${slug}`, slug, issueNumber, forgejoCommentId });

describe('issuesToCheck: the issues of a window worth asking for their comments', () => {
  it('only issues whose tickets hold live replies, least recently updated first; never a pull request', () => {
    const issues = [issue(1, '2026-12-01T10:05:00Z'), issue(2, '2026-12-01T10:01:00Z'), issue(3), { ...issue(4), pull_request: {} }, issue(5, '2026-12-01T10:01:00Z')];
    const checked = issuesToCheck(issues, [reply(1, 10), reply(1, 11), reply(2, 20), reply(4, 40), reply(5, 50)]);
    expect(checked.map((i) => i.number)).toEqual([2, 5, 1]);
  });

  it('nothing to ask when no ticket of the window holds a reply', () => {
    expect(issuesToCheck([issue(1), issue(2)], [])).toEqual([]);
  });
});

describe('deletedReplies: a live reply whose comment its issue no longer has is a deletion', () => {
  it('a reply missing from its issue’s comments is comment/deleted, dated by the issue’s update; one still there is not', () => {
    const checked = [issue(1, '2026-12-01T10:07:00Z')];
    const missed = deletedReplies(repository, checked, new Map([[1, new Set([11, 12])]]), [reply(1, 10), reply(1, 11)]);
    expect(missed).toEqual([
      {
        slug: 'desk',
        change: { kind: 'comment', action: 'deleted', repository, issueNumber: 1, login: null, comment: { id: 10, body: '', authorName: 'the team' } },
        at: '2026-12-01T10:07:00Z',
      },
    ]);
  });

  it('an issue not asked (left out, or gone) takes no reply away', () => {
    const replies = [reply(1, 10), reply(2, 20)];
    expect(deletedReplies(repository, [issue(1)], new Map(), replies)).toEqual([]);
    expect(deletedReplies(repository, [issue(1)], new Map([[2, new Set<number>()]]), replies)).toEqual([]);
  });

  it('each slug’s ticket on the issue loses its own copy of the reply', () => {
    const missed = deletedReplies(repository, [issue(1)], new Map([[1, new Set<number>()]]), [reply(1, 10, 'desk'), reply(1, 10, 'billing')]);
    expect(missed.map((m) => `${m.slug}:${m.change.kind === 'comment' && m.change.comment.id}`)).toEqual(['desk:10', 'billing:10']);
  });
});
