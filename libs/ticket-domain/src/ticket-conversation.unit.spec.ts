import { describe, expect, it } from '@jest/globals';
import { decide, foldTicket, TicketRuleBroken, type TicketCommand } from './ticket.decider.js';
import type { TicketEvent } from './ticket.events.js';

const NOW = '2026-12-01T10:00:00.000Z';
const created: TicketEvent = {
  type: 'TicketCreated',
  data: { ticketId: 't1', repo: 'desk', title: 'Printer', description: 'On fire', customerId: 'c1', customerEmail: 'c@example.com', createdAt: NOW },
};
const linked: TicketEvent = { type: 'ForgejoIssueLinked', data: { ticketId: 't1', issueNumber: 42, owner: 'acme', name: 'desk', linkedAt: NOW } };
const closed: TicketEvent = { type: 'IssueClosed', data: { ticketId: 't1', issueNumber: 42, closedBy: 'jdoe', deliveryId: null, closedAt: NOW } };
const mirrored: TicketEvent[] = [
  { type: 'CommentAdded', data: { ticketId: 't1', commentId: 'm1', body: 'hi', authorId: 'c1', authorEmail: 'c@example.com', createdAt: NOW } },
  { type: 'ForgejoCommentLinked', data: { ticketId: 't1', commentId: 'm1', forgejoCommentId: 900, linkedAt: NOW } },
];
const reply = (forgejoCommentId: number, replyId = `r${forgejoCommentId}`): TicketCommand => ({
  type: 'AddTeamReply',
  data: { replyId, forgejoCommentId, body: 'Have you tried turning it off?', authorName: 'Jane Doe', now: NOW },
});
const replyAdded = (forgejoCommentId: number): TicketEvent => ({
  type: 'TeamReplyAdded',
  data: { ticketId: 't1', replyId: `r${forgejoCommentId}`, forgejoCommentId, body: 'Have you tried turning it off?', authorName: 'Jane Doe', createdAt: NOW },
});
const reopen = (data: Partial<Extract<TicketCommand, { type: 'ReopenTicket' }>['data']>): TicketCommand => ({
  type: 'ReopenTicket',
  data: { by: 'customer', customerId: 'c1', now: NOW, ...data },
});

/** given these events (revisions 0, 1, 2 … in order), when this command: then these events, or this broken rule. */
function given(events: TicketEvent[]) {
  const state = foldTicket(events.map((event, revision) => ({ ...event, revision })));
  return {
    when: (command: TicketCommand) => ({
      then: (expected: TicketEvent[]) => expect(decide(command, state)).toEqual(expected),
      thenRefused: (reason: TicketRuleBroken['reason']) => {
        const refusal = (() => {
          try {
            decide(command, state);
          } catch (error) {
            return error;
          }
          return null;
        })();
        expect(refusal).toBeInstanceOf(TicketRuleBroken);
        expect((refusal as TicketRuleBroken).reason).toBe(reason);
      },
    }),
  };
}

describe('the conversation both ways', () => {
  it('takes a team reply once, whatever delivers it again', () => {
    given([created, linked]).when(reply(901)).then([replyAdded(901)]);
    given([created, linked, replyAdded(901)]).when(reply(901, 'another-id')).then([]);
  });

  it('never takes the service’s own mirrored comment for a reply', () => {
    given([created, linked, ...mirrored]).when(reply(900)).then([]);
  });

  it('edits and removes a reply, and nothing that is no reply', () => {
    const edit = (id: number): TicketCommand => ({ type: 'EditTeamReply', data: { forgejoCommentId: id, body: 'Try this instead', now: NOW } });
    const remove = (id: number): TicketCommand => ({ type: 'RemoveTeamReply', data: { forgejoCommentId: id, now: NOW } });
    given([created, linked, replyAdded(901)])
      .when(edit(901))
      .then([{ type: 'TeamReplyEdited', data: { ticketId: 't1', replyId: 'r901', forgejoCommentId: 901, body: 'Try this instead', editedAt: NOW } }]);
    given([created, linked, replyAdded(901)])
      .when(remove(901))
      .then([{ type: 'TeamReplyRemoved', data: { ticketId: 't1', replyId: 'r901', forgejoCommentId: 901, removedAt: NOW } }]);
    const removed: TicketEvent = { type: 'TeamReplyRemoved', data: { ticketId: 't1', replyId: 'r901', forgejoCommentId: 901, removedAt: NOW } };
    given([created, linked, replyAdded(901), removed]).when(remove(901)).then([]);
    given([created, linked, replyAdded(901), removed]).when(edit(901)).then([]);
    given([created, linked]).when(edit(900)).then([]);
    // the same text again (a second delivery, reconcile after the webhook) is no edit
    const edited: TicketEvent = { type: 'TeamReplyEdited', data: { ticketId: 't1', replyId: 'r901', forgejoCommentId: 901, body: 'Try this instead', editedAt: NOW } };
    given([created, linked, replyAdded(901), edited]).when(edit(901)).then([]);
    given([created, linked, replyAdded(901)]).when({ type: 'EditTeamReply', data: { forgejoCommentId: 901, body: 'Have you tried turning it off?', now: NOW } }).then([]);
  });

  it('reopens a closed ticket for its customer, bound to the close in force', () => {
    const reopened: TicketEvent = { type: 'TicketReopened', data: { ticketId: 't1', reopenedBy: 'customer', closeRevision: 2, reopenedAt: NOW } };
    given([created, linked, closed]).when(reopen({})).then([reopened]);
    given([created, linked, closed]).when(reopen({ closeRevision: 2 })).then([reopened]);
    given([created, linked, closed]).when(reopen({ closeRevision: 1 })).thenRefused('stale_link');
    given([created, linked, closed]).when(reopen({ customerId: 'someone-else' })).thenRefused('not_found');
    given([created, linked]).when(reopen({})).thenRefused('not_closed');
    // a link works once: after the reopen, and after a new close, the old close's link is refused
    given([created, linked, closed, reopened]).when(reopen({ closeRevision: 2 })).thenRefused('stale_link');
    given([created, linked, closed, reopened, closed]).when(reopen({ closeRevision: 2 })).thenRefused('stale_link');
    given([created, linked, closed, reopened, closed])
      .when(reopen({ closeRevision: 4 }))
      .then([{ type: 'TicketReopened', data: { ticketId: 't1', reopenedBy: 'customer', closeRevision: 4, reopenedAt: NOW } }]);
  });

  it('reopens from Forgejo, and takes Forgejo’s echo of a reopen as done', () => {
    given([created, linked, closed])
      .when(reopen({ by: 'forgejo', customerId: undefined }))
      .then([{ type: 'TicketReopened', data: { ticketId: 't1', reopenedBy: 'forgejo', closeRevision: 2, reopenedAt: NOW } }]);
    given([created, linked]).when(reopen({ by: 'forgejo', customerId: undefined })).then([]);
  });

  it('closes again after a reopen: a new close', () => {
    const reopened: TicketEvent = { type: 'TicketReopened', data: { ticketId: 't1', reopenedBy: 'forgejo', closeRevision: 2, reopenedAt: NOW } };
    given([created, linked, closed, reopened])
      .when({ type: 'CloseTicket', data: { issueNumber: 42, closedBy: 'jdoe', deliveryId: 'd2', now: NOW } })
      .then([{ type: 'IssueClosed', data: { ticketId: 't1', issueNumber: 42, closedBy: 'jdoe', deliveryId: 'd2', closedAt: NOW } }]);
  });

  it('records that a customer’s reopen reached Forgejo, once', () => {
    const reopened: TicketEvent = { type: 'TicketReopened', data: { ticketId: 't1', reopenedBy: 'customer', closeRevision: 2, reopenedAt: NOW } };
    const record: TicketCommand = { type: 'RecordForgejoReopen', data: { reopenRevision: 3, forgejoCommentId: 950, now: NOW } };
    const recorded: TicketEvent = { type: 'ForgejoIssueReopened', data: { ticketId: 't1', reopenRevision: 3, forgejoCommentId: 950, reopenedAt: NOW } };
    given([created, linked, closed, reopened]).when(record).then([recorded]);
    given([created, linked, closed, reopened, recorded]).when(record).then([]);
  });
});
