import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { decide, evolve, initialTicketState, TicketRuleBroken, type TicketCommand, type TicketState } from './ticket.decider.js';
import type { TicketEvent } from './ticket.events.js';

const NOW = '2026-11-28T10:00:00.000Z';
const create: TicketCommand = {
  type: 'CreateTicket',
  data: { ticketId: 't1', repo: 'desk', title: 'Printer on fire', description: 'It is.', customerId: 'c1', customerEmail: 'c@example.com', now: NOW },
};
const created: TicketEvent = {
  type: 'TicketCreated',
  data: { ticketId: 't1', repo: 'desk', title: 'Printer on fire', description: 'It is.', customerId: 'c1', customerEmail: 'c@example.com', createdAt: NOW },
};
const comment = (commentId: string): TicketCommand => ({
  type: 'AddComment',
  data: { commentId, body: 'Still burning', authorId: 'c1', authorEmail: 'c@example.com', now: NOW },
});
const commentAdded = (commentId: string): TicketEvent => ({
  type: 'CommentAdded',
  data: { ticketId: 't1', commentId, body: 'Still burning', authorId: 'c1', authorEmail: 'c@example.com', createdAt: NOW },
});
const linked = (issueNumber: number): TicketEvent => ({
  type: 'ForgejoIssueLinked',
  data: { ticketId: 't1', issueNumber, owner: 'acme', name: 'desk', linkedAt: NOW },
});
const close = (issueNumber: number): TicketCommand => ({
  type: 'CloseTicket',
  data: { issueNumber, closedBy: 'alice', deliveryId: 'd1', now: NOW },
});

/** given these events, when this command: then these events (or this broken rule). */
function given(events: TicketEvent[]) {
  const state = events.reduce((s, e) => evolve(s, e), initialTicketState);
  return {
    when: (command: TicketCommand) => ({
      then: (expected: TicketEvent[]) => expect(decide(command, state)).toEqual(expected),
      thenRefused: (reason: TicketRuleBroken['reason']) => {
        expect(() => decide(command, state)).toThrow(TicketRuleBroken);
        try {
          decide(command, state);
        } catch (error) {
          expect((error as TicketRuleBroken).reason).toBe(reason);
        }
      },
    }),
  };
}

describe('ticket decider', () => {
  it('creates a ticket', () => given([]).when(create).then([created]));
  it('refuses to create a ticket twice', () => given([created]).when(create).thenRefused('already_exists'));
  it('adds a comment', () => given([created]).when(comment('m1')).then([commentAdded('m1')]));
  it("refuses a comment from anyone but the ticket's owner, as if the ticket did not exist", () =>
    given([created])
      .when({ type: 'AddComment', data: { commentId: 'm1', body: 'mine now', authorId: 'c2', authorEmail: 'x@example.com', now: NOW } })
      .thenRefused('not_found'));
  it('adds nothing for a comment it already has (a retried request)', () =>
    given([created, commentAdded('m1')]).when(comment('m1')).then([]));
  it('refuses a comment on a ticket that does not exist', () => given([]).when(comment('m1')).thenRefused('not_found'));
  it('takes the 1,000th customer comment and refuses the 1,001st', () => {
    const comments = (n: number) => Array.from({ length: n }, (_, i) => commentAdded(`m${i}`));
    given([created, ...comments(999)]).when(comment('last')).then([commentAdded('last')]);
    given([created, ...comments(1000)]).when(comment('one-too-many')).thenRefused('comment_limit');
    // a retry of a comment it took is still answered as done, even at the limit
    given([created, ...comments(1000)]).when(comment('m999')).then([]);
  });
  it('links an issue once', () => {
    given([created]).when({ type: 'LinkForgejoIssue', data: { issueNumber: 42, owner: 'acme', name: 'desk', now: NOW } }).then([linked(42)]);
    given([created, linked(42)]).when({ type: 'LinkForgejoIssue', data: { issueNumber: 42, owner: 'acme', name: 'desk', now: NOW } }).then([]);
    given([created, linked(42)]).when({ type: 'LinkForgejoIssue', data: { issueNumber: 43, owner: 'acme', name: 'desk', now: NOW } }).thenRefused('issue_mismatch');
  });
  it('links a comment to its Forgejo comment once', () => {
    const link = (id: number): TicketCommand => ({ type: 'LinkForgejoComment', data: { commentId: 'm1', forgejoCommentId: id, now: NOW } });
    const commentLinked: TicketEvent = { type: 'ForgejoCommentLinked', data: { ticketId: 't1', commentId: 'm1', forgejoCommentId: 7, linkedAt: NOW } };
    given([created, commentAdded('m1')]).when(link(7)).then([commentLinked]);
    given([created, commentAdded('m1'), commentLinked]).when(link(7)).then([]);
    given([created]).when(link(7)).thenRefused('unknown_comment');
  });
  it('closes a linked ticket, and closing a closed ticket changes nothing', () => {
    const closed: TicketEvent = { type: 'IssueClosed', data: { ticketId: 't1', issueNumber: 42, closedBy: 'alice', deliveryId: 'd1', closedAt: NOW } };
    given([created, linked(42)]).when(close(42)).then([closed]);
    given([created, linked(42), closed]).when(close(42)).then([]);
    given([created, linked(42)]).when(close(41)).thenRefused('issue_mismatch');
  });
  it('keeps comments possible on a closed ticket', () => {
    const closed: TicketEvent = { type: 'IssueClosed', data: { ticketId: 't1', issueNumber: 42, closedBy: null, deliveryId: null, closedAt: NOW } };
    given([created, linked(42), closed]).when(comment('m2')).then([commentAdded('m2')]);
  });

  it('reaches no invalid state from any sequence of commands', () => {
    const ids = fc.constantFrom('m1', 'm2', 'm3');
    const command: fc.Arbitrary<TicketCommand> = fc.oneof(
      fc.constant(create),
      ids.map(comment),
      fc.integer({ min: 1, max: 3 }).map((issueNumber): TicketCommand => ({ type: 'LinkForgejoIssue', data: { issueNumber, owner: 'acme', name: 'desk', now: NOW } })),
      fc.tuple(ids, fc.integer({ min: 1, max: 3 })).map(
        ([commentId, forgejoCommentId]): TicketCommand => ({ type: 'LinkForgejoComment', data: { commentId, forgejoCommentId, now: NOW } }),
      ),
      fc.integer({ min: 1, max: 3 }).map(close),
    );
    fc.assert(
      fc.property(fc.array(command, { maxLength: 40 }), (commands) => {
        let state: TicketState = initialTicketState;
        const history: TicketEvent[] = [];
        for (const next of commands) {
          let events: TicketEvent[] = [];
          try {
            events = decide(next, state);
          } catch (error) {
            if (!(error instanceof TicketRuleBroken)) throw error;
          }
          history.push(...events);
          state = events.reduce((s, e) => evolve(s, e), state);
        }
        // invariants over the whole history
        const types = history.map((e) => e.type);
        expect(types.filter((t) => t === 'TicketCreated').length).toBeLessThanOrEqual(1);
        if (history.length > 0) expect(types[0]).toBe('TicketCreated');
        expect(types.filter((t) => t === 'ForgejoIssueLinked').length).toBeLessThanOrEqual(1);
        expect(types.filter((t) => t === 'IssueClosed').length).toBeLessThanOrEqual(1);
        const closedAt = types.indexOf('IssueClosed');
        if (closedAt >= 0) expect(types.indexOf('ForgejoIssueLinked')).toBeLessThan(closedAt);
        const commentIds = history.filter((e) => e.type === 'CommentAdded').map((e) => e.data.commentId);
        expect(new Set(commentIds).size).toBe(commentIds.length);
        const links = history.filter((e) => e.type === 'ForgejoCommentLinked').map((e) => e.data.commentId);
        expect(new Set(links).size).toBe(links.length);
        for (const id of links) expect(commentIds).toContain(id);
        // and the folded state agrees with the history
        if (state.status !== 'none') {
          expect(state.status).toBe(closedAt >= 0 ? 'closed' : 'open');
          expect([...state.comments.keys()].sort()).toEqual([...commentIds].sort());
        } else {
          expect(history).toEqual([]);
        }
      }),
      { numRuns: 500 },
    );
  });
});
