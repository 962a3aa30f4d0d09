import { describe, expect, it } from '@jest/globals';
import { foldTicket, type TicketState } from './ticket.decider.js';
import { TICKET_STATE_FORMAT, ticketStateFromJson, ticketStateToJson } from './ticket-state.json.js';

const NOW = '2026-11-28T10:00:00.000Z';
const history = [
  { type: 'TicketCreated', revision: 0, data: { ticketId: 't1', repo: 'desk', title: 'T', description: 'D', customerId: 'c1', customerEmail: 'c@x', createdAt: NOW } },
  { type: 'CommentAdded', revision: 1, data: { ticketId: 't1', commentId: 'm1', body: 'é', authorId: 'c1', authorEmail: 'c@x', createdAt: NOW } },
  { type: 'CommentAdded', revision: 2, data: { ticketId: 't1', commentId: 'm2', body: 'ü', authorId: 'c1', authorEmail: 'c@x', createdAt: NOW } },
  { type: 'ForgejoIssueLinked', revision: 3, data: { ticketId: 't1', issueNumber: 7, owner: 'acme', name: 'desk', linkedAt: NOW } },
  { type: 'ForgejoCommentLinked', revision: 4, data: { ticketId: 't1', commentId: 'm1', forgejoCommentId: 70, linkedAt: NOW } },
  { type: 'ForgejoCommentSyncFailed', revision: 5, data: { ticketId: 't1', commentId: 'm2', reason: 'r', attempts: 1, failedAt: NOW } },
  { type: 'IssueClosed', revision: 6, data: { ticketId: 't1', issueNumber: 7, closedBy: null, deliveryId: null, closedAt: NOW } },
  { type: 'NotificationSent', revision: 7, data: { ticketId: 't1', notificationFor: 'e1', to: 'c@x', sentAt: NOW } },
];

/** Through the database's eyes: JSON text and back. */
const roundTrip = (state: TicketState) => ticketStateFromJson(JSON.parse(JSON.stringify(ticketStateToJson(state))));

describe('ticket state as JSON', () => {
  it('comes back equal, Maps and Sets included', () => {
    const state = foldTicket(history);
    const back = roundTrip(state);
    expect(back).toEqual(state);
    if (!back || back.status === 'none') throw new Error('expected a ticket');
    expect(back.comments).toBeInstanceOf(Map);
    expect(back.comments.get('m1')).toEqual({ forgejoCommentId: 70, revision: 1 });
    expect(back.failedSyncs).toBeInstanceOf(Set);
    expect(back.notified.has('e1')).toBe(true);
  });

  it('comes back equal at every point of the history, and folds on from there as from the start', () => {
    for (let i = 0; i <= history.length; i++) {
      const state = foldTicket(history.slice(0, i));
      expect(roundTrip(state)).toEqual(state);
      expect(foldTicket(history.slice(i), roundTrip(state)!)).toEqual(foldTicket(history));
    }
  });

  it('refuses a row of another format, or none at all', () => {
    expect(ticketStateFromJson({ format: TICKET_STATE_FORMAT + 1, state: { status: 'none' } })).toBeNull();
    expect(ticketStateFromJson(null)).toBeNull();
    expect(ticketStateFromJson({ format: TICKET_STATE_FORMAT, state: 'open' })).toBeNull();
  });
});
