import type { TicketState } from './ticket.decider.js';
import { TicketRuleBroken } from './ticket-rule-broken.js';
import type { TicketEvent } from './ticket.events.js';

/** The commands of the conversation both ways: the team's replies, and reopening from either side. */
export type ConversationCommand =
  | { type: 'AddTeamReply'; data: { replyId: string; forgejoCommentId: number; body: string; authorName: string; now: string } }
  | { type: 'EditTeamReply'; data: { forgejoCommentId: number; body: string; now: string } }
  | { type: 'RemoveTeamReply'; data: { forgejoCommentId: number; now: string } }
  /**
   * `customer`: POST /tickets/:id/reopen (its `customerId` must own the ticket), or the resolved email's link
   * (`closeRevision`: the close the link was made for). `forgejo`: the issue was reopened in Forgejo.
   */
  | { type: 'ReopenTicket'; data: { by: 'customer' | 'forgejo'; customerId?: string; closeRevision?: number; now: string } }
  | { type: 'RecordForgejoReopen'; data: { reopenRevision: number; forgejoCommentId: number; now: string } };

type Open = Extract<TicketState, { status: 'open' | 'closed' }>;

/** A reply's text as the state keeps it: a fingerprint (FNV-1a), so a ticket's state never holds reply bodies. */
export function textFingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return `${text.length}:${hash.toString(16)}`;
}

/** Pure: the conversation's rules, for `decide`. */
export function decideConversation(command: ConversationCommand, state: Open): TicketEvent[] {
  const ticketId = state.ticketId;
  switch (command.type) {
    case 'AddTeamReply': {
      const { replyId, forgejoCommentId, body, authorName, now } = command.data;
      // the service's own mirrored comment coming back, or the same reply delivered again
      const mirrored = [...state.comments.values()].some((comment) => comment.forgejoCommentId === forgejoCommentId);
      if (mirrored || state.replies.has(forgejoCommentId)) return [];
      return [{ type: 'TeamReplyAdded', data: { ticketId, replyId, forgejoCommentId, body, authorName, createdAt: now } }];
    }
    case 'EditTeamReply': {
      const { forgejoCommentId, body, now } = command.data;
      const reply = state.replies.get(forgejoCommentId);
      // the same edit again (a second delivery, or reconcile after the webhook) changes nothing
      if (!reply || reply.removed || reply.text === textFingerprint(body)) return [];
      return [{ type: 'TeamReplyEdited', data: { ticketId, replyId: reply.replyId, forgejoCommentId, body, editedAt: now } }];
    }
    case 'RemoveTeamReply': {
      const { forgejoCommentId, now } = command.data;
      const reply = state.replies.get(forgejoCommentId);
      if (!reply || reply.removed) return [];
      return [{ type: 'TeamReplyRemoved', data: { ticketId, replyId: reply.replyId, forgejoCommentId, removedAt: now } }];
    }
    case 'ReopenTicket': {
      const { by, customerId, closeRevision, now } = command.data;
      if (by === 'customer' && customerId !== undefined && customerId !== state.ownerId) throw new TicketRuleBroken('not_found', 'ticket not found');
      if (closeRevision !== undefined && closeRevision !== state.closedAtRevision) {
        throw new TicketRuleBroken('stale_link', 'this link was for an earlier close, or has been used');
      }
      if (state.status === 'open') {
        // Forgejo's echo of a reopen already applied (or a second delivery) changes nothing
        if (by === 'forgejo') return [];
        throw new TicketRuleBroken('not_closed', 'the ticket is open');
      }
      return [{ type: 'TicketReopened', data: { ticketId, reopenedBy: by, closeRevision: state.closedAtRevision!, reopenedAt: now } }];
    }
    case 'RecordForgejoReopen': {
      const { reopenRevision, forgejoCommentId, now } = command.data;
      if (!state.unsyncedReopens.has(reopenRevision)) return [];
      return [{ type: 'ForgejoIssueReopened', data: { ticketId, reopenRevision, forgejoCommentId, reopenedAt: now } }];
    }
  }
}

/** Pure: the state after a conversation event, for `evolve`; any other event leaves it as it is. */
export function evolveConversation(state: TicketState, event: TicketEvent, revision: number): TicketState {
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'TeamReplyAdded':
    case 'TeamReplyEdited': {
      const reply = { replyId: event.data.replyId, removed: false, text: textFingerprint(event.data.body) };
      return { ...state, replies: new Map(state.replies).set(event.data.forgejoCommentId, reply) };
    }
    case 'TeamReplyRemoved': {
      const reply = { ...state.replies.get(event.data.forgejoCommentId)!, replyId: event.data.replyId, removed: true };
      return { ...state, replies: new Map(state.replies).set(event.data.forgejoCommentId, reply) };
    }
    case 'TicketReopened': {
      const unsyncedReopens = event.data.reopenedBy === 'customer' ? new Set(state.unsyncedReopens).add(revision) : state.unsyncedReopens;
      return { ...state, status: 'open', closedAtRevision: null, unsyncedReopens };
    }
    case 'ForgejoIssueReopened': {
      const unsyncedReopens = new Set(state.unsyncedReopens);
      unsyncedReopens.delete(event.data.reopenRevision);
      return { ...state, unsyncedReopens };
    }
    default:
      return state;
  }
}
