import { describe, expect, it } from '@jest/globals';
import { owedSyncs } from './owed-syncs.js';
import { foldTicket } from './ticket.decider.js';
import type { TicketEvent } from './ticket.events.js';

const NOW = '2026-12-01T10:00:00.000Z';
const created: TicketEvent = {
  type: 'TicketCreated',
  data: { ticketId: 't1', repo: 'desk', title: 'Printer', description: 'On fire', customerId: 'c1', customerEmail: 'c@example.com', createdAt: NOW },
};
const linked: TicketEvent = { type: 'ForgejoIssueLinked', data: { ticketId: 't1', issueNumber: 42, owner: 'acme', name: 'desk', linkedAt: NOW } };
const closed: TicketEvent = { type: 'IssueClosed', data: { ticketId: 't1', issueNumber: 42, closedBy: null, deliveryId: null, closedAt: NOW } };
const reopened = (reopenedBy: 'customer' | 'forgejo', closeRevision: number): TicketEvent => ({
  type: 'TicketReopened',
  data: { ticketId: 't1', reopenedBy, closeRevision, reopenedAt: NOW },
});
const state = (events: TicketEvent[]) => foldTicket(events.map((event, revision) => ({ ...event, revision })));

describe('what a ticket owes Forgejo: reopens', () => {
  it('owes the customer’s reopen (by its revision) until it is recorded in Forgejo, and never a reopen from Forgejo', () => {
    expect(owedSyncs(state([created, linked, closed, reopened('customer', 2)])).reopens).toEqual([3]);
    expect(owedSyncs(state([created, linked, closed, reopened('forgejo', 2)])).reopens).toEqual([]);
    const recorded: TicketEvent = { type: 'ForgejoIssueReopened', data: { ticketId: 't1', reopenRevision: 3, forgejoCommentId: 7, reopenedAt: NOW } };
    expect(owedSyncs(state([created, linked, closed, reopened('customer', 2), recorded])).reopens).toEqual([]);
  });

  it('owes no reopen of an issue that does not exist yet', () => {
    expect(owedSyncs(state([created]))).toEqual({ issue: true, comments: [], reopens: [] });
  });
});
