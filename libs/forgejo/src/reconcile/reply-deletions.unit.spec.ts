import { describe, expect, it } from '@jest/globals';
import type { PinoLogger } from 'nestjs-pino';
import type { LinkedRepository, LiveTeamReply, ReconcileQueries } from '../../../read-models/src/index.js';
import type { ForgejoListedIssue } from '../client/forgejo-client.js';
import type { IssueCommentIds } from './issue-comment-ids.js';
import { ReplyDeletions } from './reply-deletions.js';

const repository: LinkedRepository = { key: 'acme/support-desk', owner: 'acme', name: 'support-desk', slugs: ['desk'], firstCreatedAt: new Date(0) };
const issue = (number: number): ForgejoListedIssue => ({ number, state: 'open', updated_at: `2026-12-01T10:00:${String(number).padStart(2, '0')}Z` });

/** Issues 1…count each with one live reply (comment id 100 + n); Forgejo still has the comments in `present`. */
function subject(count: number, present: (n: number) => boolean = () => true) {
  const asked: number[] = [];
  const warnings: string[] = [];
  const replies: LiveTeamReply[] = Array.from({ length: count }, (_, i) => ({ ticketId: `t${i + 1}`, slug: 'desk', issueNumber: i + 1, forgejoCommentId: 101 + i }));
  const queries = { liveTeamReplies: async (_r: unknown, numbers: number[]) => replies.filter((r) => numbers.includes(r.issueNumber)) } as unknown as ReconcileQueries;
  const comments = {
    of: async (_owner: string, _repo: string, n: number) => {
      asked.push(n);
      return new Set(present(n) ? [100 + n] : []);
    },
  } as unknown as IssueCommentIds;
  const logger = { setContext: () => undefined, warn: (_o: unknown, msg: string) => void warnings.push(msg) } as unknown as PinoLogger;
  const issues = Array.from({ length: count }, (_, i) => issue(i + 1));
  return { deletions: new ReplyDeletions(queries, comments, logger), issues, asked, warnings };
}

describe('ReplyDeletions: the deleted replies of a window, within its budget of Forgejo requests', () => {
  it('asks each issue holding replies once and finds the reply whose comment is gone', async () => {
    const { deletions, issues, asked } = subject(5, (n) => n !== 3);
    const found = await deletions.find(repository, [...issues, issue(9)], 10, false);
    expect(found).toMatchObject({ requests: 5, complete: true });
    expect(asked.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(found.changes.map((m) => m.change.kind === 'comment' && m.change.comment.id)).toEqual([103]);
  });

  it('more issues to ask than the budget: none is asked and the window is incomplete', async () => {
    const { deletions, issues, asked } = subject(5);
    expect(await deletions.find(repository, issues, 4, false)).toEqual({ changes: [], requests: 0, complete: false });
    expect(asked).toEqual([]);
  });

  it('in a window that cannot be narrowed, the least recently updated that fit are asked and the others left, with a warning', async () => {
    const { deletions, issues, asked, warnings } = subject(5, () => false);
    const found = await deletions.find(repository, issues, 3, true);
    expect(found).toMatchObject({ requests: 3, complete: true });
    expect(asked.sort()).toEqual([1, 2, 3]);
    expect(found.changes).toHaveLength(3);
    expect(warnings).toHaveLength(1);
  });
});
