import { decideConversation, evolveConversation, type ConversationCommand } from './ticket-conversation.js';
import { TicketRuleBroken } from './ticket-rule-broken.js';
import type { TicketEvent } from './ticket.events.js';

export { TicketRuleBroken };

/** What a ticket must know to decide; built only from its own events. */
export type TicketState =
  | { status: 'none' }
  | {
      status: 'open' | 'closed';
      ticketId: string;
      ownerId: string;
      repo: string;
      forgejoIssueNumber: number | null;
      /** the Forgejo repository the issue lives in, once linked (null for links recorded before it was kept) */
      forgejoRepo: { owner: string; name: string } | null;
      /** comment id → its Forgejo comment id once linked, and the revision of its CommentAdded event */
      comments: ReadonlyMap<string, CommentState>;
      /** how many comments the customer has added */
      customerComments: number;
      /** syncs that gave up and were not retried since: 'issue' or a comment id */
      failedSyncs: ReadonlySet<string>;
      /** ids of the events a notification was already sent for */
      notified: ReadonlySet<string>;
      /** the revision of the IssueClosed in force while closed (what a reopen link is bound to), else null */
      closedAtRevision: number | null;
      /** the team's replies by their Forgejo comment id */
      replies: ReadonlyMap<number, { replyId: string; removed: boolean; text: string }>;
      /** revisions of the customer's reopens that have not reached Forgejo yet */
      unsyncedReopens: ReadonlySet<number>;
    };

export interface CommentState {
  forgejoCommentId: number | null;
  /** revision of the CommentAdded event in the ticket's stream (-1 when folded without revisions) */
  revision: number;
}

export type TicketCommand =
  | {
      type: 'CreateTicket';
      data: { ticketId: string; repo: string; title: string; description: string; customerId: string; customerEmail: string; now: string };
    }
  | { type: 'AddComment'; data: { commentId: string; body: string; authorId: string; authorEmail: string; now: string } }
  | { type: 'LinkForgejoIssue'; data: { issueNumber: number; owner: string; name: string; now: string } }
  | { type: 'LinkForgejoComment'; data: { commentId: string; forgejoCommentId: number; now: string } }
  | { type: 'CloseTicket'; data: { issueNumber: number; closedBy: string | null; deliveryId: string | null; now: string } }
  | { type: 'RecordSyncFailure'; data: { commentId: string | null; reason: string; attempts: number; now: string } }
  | { type: 'RequestResync'; data: { now: string } }
  | { type: 'RecordNotification'; data: { notificationFor: string; to: string; now: string } }
  | ConversationCommand;

export const initialTicketState: TicketState = { status: 'none' };

/** product.md: a ticket takes at most this many comments from its customer. */
export const MAX_CUSTOMER_COMMENTS = 1000;

/** Pure: the events a command produces on a ticket in `state` (none when it changes nothing), or a broken rule. */
export function decide(command: TicketCommand, state: TicketState): TicketEvent[] {
  if (command.type === 'CreateTicket') {
    if (state.status !== 'none') throw new TicketRuleBroken('already_exists', 'ticket already exists');
    const { now, ...data } = command.data;
    return [{ type: 'TicketCreated', data: { ...data, createdAt: now } }];
  }
  if (state.status === 'none') throw new TicketRuleBroken('not_found', 'ticket not found');
  const ticketId = state.ticketId;
  switch (command.type) {
    case 'AddComment': {
      // only its owner comments on a ticket; to anyone else it does not exist
      if (command.data.authorId !== state.ownerId) throw new TicketRuleBroken('not_found', 'ticket not found');
      // the same comment again is a retried request: already done
      if (state.comments.has(command.data.commentId)) return [];
      if (state.customerComments >= MAX_CUSTOMER_COMMENTS) {
        throw new TicketRuleBroken('comment_limit', `a ticket takes at most ${MAX_CUSTOMER_COMMENTS} comments`);
      }
      const { now, ...data } = command.data;
      return [{ type: 'CommentAdded', data: { ticketId, ...data, createdAt: now } }];
    }
    case 'LinkForgejoIssue': {
      if (state.forgejoIssueNumber === command.data.issueNumber) return [];
      if (state.forgejoIssueNumber !== null) {
        throw new TicketRuleBroken('issue_mismatch', `ticket is already linked to issue #${state.forgejoIssueNumber}`);
      }
      const { issueNumber, owner, name, now } = command.data;
      return [{ type: 'ForgejoIssueLinked', data: { ticketId, issueNumber, owner, name, linkedAt: now } }];
    }
    case 'LinkForgejoComment': {
      const { commentId, forgejoCommentId, now } = command.data;
      if (!state.comments.has(commentId)) throw new TicketRuleBroken('unknown_comment', 'comment not found on this ticket');
      const linked = state.comments.get(commentId)!.forgejoCommentId;
      if (linked === forgejoCommentId) return [];
      if (linked !== null) throw new TicketRuleBroken('issue_mismatch', `comment is already linked to Forgejo comment ${linked}`);
      return [{ type: 'ForgejoCommentLinked', data: { ticketId, commentId, forgejoCommentId, linkedAt: now } }];
    }
    case 'CloseTicket': {
      if (state.status === 'closed') return [];
      if (state.forgejoIssueNumber !== command.data.issueNumber) {
        throw new TicketRuleBroken('issue_mismatch', `ticket is not linked to issue #${command.data.issueNumber}`);
      }
      const { now, ...data } = command.data;
      return [{ type: 'IssueClosed', data: { ticketId, ...data, closedAt: now } }];
    }
    case 'RecordSyncFailure': {
      const { commentId, reason, attempts, now } = command.data;
      if (commentId === null) {
        // a late failure report after the link was recorded changes nothing
        if (state.forgejoIssueNumber !== null || state.failedSyncs.has('issue')) return [];
        return [{ type: 'ForgejoIssueSyncFailed', data: { ticketId, reason, attempts, failedAt: now } }];
      }
      if (!state.comments.has(commentId)) throw new TicketRuleBroken('unknown_comment', 'comment not found on this ticket');
      if (state.comments.get(commentId)!.forgejoCommentId !== null || state.failedSyncs.has(commentId)) return [];
      return [{ type: 'ForgejoCommentSyncFailed', data: { ticketId, commentId, reason, attempts, failedAt: now } }];
    }
    case 'RequestResync':
      return [{ type: 'ForgejoSyncRetryRequested', data: { ticketId, requestedAt: command.data.now } }];
    case 'RecordNotification': {
      const { notificationFor, to, now } = command.data;
      if (state.notified.has(notificationFor)) return [];
      return [{ type: 'NotificationSent', data: { ticketId, notificationFor, to, sentAt: now } }];
    }
    default:
      return decideConversation(command, state);
  }
}

/**
 * Pure: the state after one event. Unknown event types (added later, or failures) leave it as it is. `revision`
 * is the event's place in the stream, when the caller knows it.
 */
export function evolve(state: TicketState, event: TicketEvent, revision = -1): TicketState {
  switch (event.type) {
    case 'TicketCreated':
      return {
        status: 'open',
        ticketId: event.data.ticketId,
        ownerId: event.data.customerId,
        repo: event.data.repo,
        forgejoIssueNumber: null,
        forgejoRepo: null,
        comments: new Map(),
        customerComments: 0,
        failedSyncs: new Set(),
        notified: new Set(),
        closedAtRevision: null,
        replies: new Map(),
        unsyncedReopens: new Set(),
      };
    case 'CommentAdded':
      if (state.status === 'none') return state;
      return {
        ...state,
        comments: new Map(state.comments).set(event.data.commentId, { forgejoCommentId: null, revision }),
        customerComments: state.customerComments + 1,
      };
    case 'ForgejoIssueLinked':
      if (state.status === 'none') return state;
      return {
        ...state,
        forgejoIssueNumber: event.data.issueNumber,
        forgejoRepo: event.data.owner && event.data.name ? { owner: event.data.owner, name: event.data.name } : null,
      };
    case 'ForgejoCommentLinked':
      if (state.status === 'none') return state;
      if (!state.comments.has(event.data.commentId)) return state;
      return {
        ...state,
        comments: new Map(state.comments).set(event.data.commentId, {
          ...state.comments.get(event.data.commentId)!,
          forgejoCommentId: event.data.forgejoCommentId,
        }),
      };
    case 'IssueClosed':
      if (state.status === 'none') return state;
      return { ...state, status: 'closed', closedAtRevision: revision };
    case 'ForgejoIssueSyncFailed':
      if (state.status === 'none') return state;
      return { ...state, failedSyncs: new Set(state.failedSyncs).add('issue') };
    case 'ForgejoCommentSyncFailed':
      if (state.status === 'none') return state;
      return { ...state, failedSyncs: new Set(state.failedSyncs).add(event.data.commentId) };
    case 'ForgejoSyncRetryRequested':
      if (state.status === 'none') return state;
      return { ...state, failedSyncs: new Set() };
    case 'NotificationSent':
      if (state.status === 'none') return state;
      return { ...state, notified: new Set(state.notified).add(event.data.notificationFor) };
    default:
      return evolveConversation(state, event, revision);
  }
}

/** The state after a ticket's history (events as stored: a type, its data and, when known, its revision). */
export function foldTicket(
  history: ReadonlyArray<{ type: string; data: Record<string, unknown>; revision?: number }>,
  from: TicketState = initialTicketState,
): TicketState {
  return history.reduce((state, event) => evolve(state, event as TicketEvent, event.revision), from);
}
