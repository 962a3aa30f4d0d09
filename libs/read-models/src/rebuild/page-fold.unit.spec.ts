import { describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from '../../../event-store/src/index.js';
import { commentIdsChanged, foldPage, ticketIdsCommentedOn, type EarlierRows } from './page-fold.js';

const T = 'aaaaaaaa-1111-4111-8111-111111111111';
const C = '22222222-2222-4222-8222-222222222222';
const OLD = '33333333-3333-4333-8333-333333333333';
const OWNER = '44444444-4444-4444-8444-444444444444';
let prepare = 0n;
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();
function recorded(type: string, data: Record<string, unknown>, revision: number, ticket = T): RecordedEvent {
  prepare += 1n;
  return { id: `e${prepare}`, type, data, metadata: { actor: { type: 'system' }, correlationId: 'c', causationId: 'c' }, streamId: `ticket-${ticket}`, revision, position: { commit: 1n, prepare }, recordedAt: new Date() };
}
const NONE: EarlierRows = { comments: new Map(), tickets: new Set() };
const created = (revision = 0) =>
  recorded('TicketCreated', { ticketId: T, repo: 'desk', title: 't', description: 'd', customerId: OWNER, customerEmail: 'a@example.com', createdAt: at(0) }, revision);

describe('foldPage', () => {
  it('folds a ticket created in the page into one whole row, its comments into rows of their own', () => {
    const page = [
      created(),
      recorded('CommentAdded', { ticketId: T, commentId: C, body: 'b', authorId: OWNER, authorEmail: 'a@example.com', createdAt: at(5) }, 1),
      recorded('IssueClosed', { ticketId: T, issueNumber: 1, closedBy: 'x', deliveryId: null, closedAt: at(3) }, 2),
      recorded('TicketReopened', { ticketId: T, reopenedBy: 'customer', closeRevision: 2, reopenedAt: at(4) }, 3),
    ];
    const folded = foldPage(page, NONE)!;
    expect(folded.newTickets).toEqual([
      expect.objectContaining({ id: T, status: 'open', closedAt: null, reopensOwed: 1, updatedAt: Date.parse(at(5)), streamRevision: 3 }),
    ]);
    expect(folded.newComments).toEqual([expect.objectContaining({ id: C, ticketId: T, revision: 1, author: 'customer', removed: false })]);
    expect(folded.ticketChanges).toEqual([]);
  });

  it('turns changes to rows of earlier pages into changes, the owed reopens as max(floor, owed + add)', () => {
    const page = [
      recorded('ForgejoIssueReopened', { ticketId: T, reopenRevision: 1, forgejoCommentId: 9, reopenedAt: at(1) }, 5),
      recorded('TicketReopened', { ticketId: T, reopenedBy: 'customer', closeRevision: 2, reopenedAt: at(2) }, 6),
      recorded('ForgejoCommentLinked', { ticketId: T, commentId: OLD, forgejoCommentId: 7, linkedAt: at(3) }, 7),
    ];
    expect(commentIdsChanged(page)).toEqual([OLD]);
    const folded = foldPage(page, { comments: new Map([[OLD, T]]), tickets: new Set() })!;
    expect(folded.ticketChanges).toEqual([expect.objectContaining({ id: T, status: 'open', owedFloor: 1, owedAdd: 0, bump: Date.parse(at(2)), streamRevision: 7 })]);
    expect(folded.commentChanges).toEqual([expect.objectContaining({ id: OLD, forgejoCommentId: { value: 7 } })]);
  });

  it('gives up on an event outside the shapes the service writes, and on an event naming a ticket the page creates later', () => {
    expect(foldPage([recorded('IssueClosed', { ticketId: T, issueNumber: 1, closedBy: null, deliveryId: null, closedAt: 'yesterday' }, 1)], NONE)).toBeNull();
    expect(foldPage([recorded('IssueClosed', { ticketId: T.toUpperCase(), issueNumber: 1, closedBy: null, deliveryId: null, closedAt: at(1) }, 1)], NONE)).toBeNull();
    expect(foldPage([recorded('IssueClosed', { ticketId: T, issueNumber: 1, closedBy: null, deliveryId: null, closedAt: at(1) }, 1, OLD), created()], NONE)).toBeNull();
  });

  it('takes a comment on a ticket of an earlier page, and gives up on a comment on no ticket, as the foreign key would refuse it', () => {
    const page = [recorded('CommentAdded', { ticketId: T, commentId: C, body: 'b', authorId: OWNER, authorEmail: 'a@example.com', createdAt: at(5) }, 4)];
    expect(ticketIdsCommentedOn(page)).toEqual([T]);
    expect(foldPage(page, { comments: new Map(), tickets: new Set([T]) })!.newComments).toEqual([expect.objectContaining({ id: C, ticketId: T })]);
    expect(foldPage(page, NONE)).toBeNull();
    expect(ticketIdsCommentedOn([created(), ...page])).toEqual([]);
  });
});
