import { describe, expect, it } from '@jest/globals';
import { commentBody } from '../client/issue-bodies.js';
import { inboundCommandOf, type ChangeContext, type ForgejoChange } from './forgejo-changes.js';

const NOW = '2026-12-01T10:00:00.000Z';
const context = (replyMode: ChangeContext['replyMode']): ChangeContext => ({ replyMode, deliveryId: 'd-1', newId: 'r-1', now: NOW });
const comment = (action: string, body: string): ForgejoChange => ({
  kind: 'comment', action, repository: { owner: 'acme', name: 'desk' }, issueNumber: 42, login: 'jdoe', comment: { id: 7, body, authorName: 'Jane Doe' },
});

describe('the comment rows of the inbound table (pure)', () => {
  it('created: a team reply when the repo makes it public, with the text the customer sees', () => {
    expect(inboundCommandOf(comment('created', '/reply Fixed.'), context('marked'))).toEqual({
      command: { type: 'AddTeamReply', data: { replyId: 'r-1', forgejoCommentId: 7, body: 'Fixed.', authorName: 'Jane Doe', now: NOW } },
      changed: 'reply',
      unchanged: 'unchanged',
    });
    expect(inboundCommandOf(comment('created', 'Fixed.'), context('all'))?.command).toMatchObject({ type: 'AddTeamReply', data: { body: 'Fixed.' } });
  });

  it('created: nothing for an unmarked, an /internal or a mirrored comment', () => {
    expect(inboundCommandOf(comment('created', 'Fixed.'), context('marked'))).toBeNull();
    expect(inboundCommandOf(comment('created', '/internal cache'), context('all'))).toBeNull();
    const mirrored = commentBody('/reply hi', 'bob@example.com', 'c-1');
    expect(inboundCommandOf(comment('created', mirrored), context('marked'))).toBeNull();
    expect(inboundCommandOf(comment('created', mirrored), context('all'))).toBeNull();
  });

  it('edited: the new text of a reply; an edit that makes it no reply takes it back', () => {
    expect(inboundCommandOf(comment('edited', '/reply Fixed, really.'), context('marked'))).toEqual({
      command: { type: 'EditTeamReply', data: { forgejoCommentId: 7, body: 'Fixed, really.', now: NOW } },
      changed: 'reply_edited',
      unchanged: 'unchanged',
    });
    expect(inboundCommandOf(comment('edited', 'Fixed, really.'), context('marked'))).toEqual({
      command: { type: 'RemoveTeamReply', data: { forgejoCommentId: 7, now: NOW } },
      changed: 'reply_removed',
      unchanged: 'unchanged',
    });
    expect(inboundCommandOf(comment('edited', '/internal oops'), context('all'))?.command.type).toBe('RemoveTeamReply');
  });

  it('deleted: the reply is taken back, whatever its text said', () => {
    for (const mode of ['marked', 'all'] as const) {
      expect(inboundCommandOf(comment('deleted', 'anything'), context(mode))).toEqual({
        command: { type: 'RemoveTeamReply', data: { forgejoCommentId: 7, now: NOW } },
        changed: 'reply_removed',
        unchanged: 'unchanged',
      });
    }
  });
});
