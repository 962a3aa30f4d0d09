import type { ForgejoRepository } from '../../../read-models/src/index.js';
import type { TicketCommand } from '../../../ticket-domain/src/index.js';
import { replyTextOf } from './reply-text.js';

/**
 * A change made in Forgejo, as the inbound side sees it, whether a webhook delivered it or reconcile read it back:
 * the same shape for both, so both go through the one table below.
 */
export type ForgejoChange =
  | { kind: 'issue'; action: string; repository: ForgejoRepository; issueNumber: number; login: string | null }
  | {
      kind: 'comment';
      action: string;
      repository: ForgejoRepository;
      issueNumber: number;
      login: string | null;
      comment: { id: number; body: string; authorName: string };
    };

export interface ChangeContext {
  /** the repo's replyMode: `marked` (a comment whose first line starts with /reply) or `all` (all but /internal) */
  replyMode: 'marked' | 'all';
  deliveryId: string | null;
  /** an id for a reply this change may create, drawn once by the caller */
  newId: string;
  now: string;
}

/** What a row of the table gives: the command, and what to answer when it changed something or nothing. */
export interface InboundCommand {
  command: TicketCommand;
  changed: string;
  unchanged: string;
}

type Row = (change: ForgejoChange, context: ChangeContext) => InboundCommand | null;

/**
 * The one table of the inbound side: event + action → the ticket command it means. Anything without a row (or
 * whose row says null) changes nothing.
 */
const TABLE: Record<string, Row> = {
  'issue/closed': (change, { deliveryId, now }) => ({
    command: { type: 'CloseTicket', data: { issueNumber: change.issueNumber, closedBy: change.login, deliveryId, now } },
    changed: 'closed',
    unchanged: 'already_closed',
  }),
  'issue/reopened': (_change, { now }) => ({
    command: { type: 'ReopenTicket', data: { by: 'forgejo', now } },
    changed: 'reopened',
    unchanged: 'already_open',
  }),
  // a team reply when the repo's replyMode makes the comment public (reply-text.ts); any other comment: no row's command
  'comment/created': (change, { replyMode, newId, now }) => {
    if (change.kind !== 'comment') return null;
    const body = replyTextOf(change.comment.body, replyMode);
    if (body === null) return null;
    const { id: forgejoCommentId, authorName } = change.comment;
    return { command: { type: 'AddTeamReply', data: { replyId: newId, forgejoCommentId, body, authorName, now } }, changed: 'reply', unchanged: 'unchanged' };
  },
  // an edit changes a reply's text; an edit that makes it no reply (its /reply taken away, /internal put first)
  // takes it back as a deletion would; an edit never makes a reply of a comment that was none (it would email
  // the customer out of the blue): a new comment does that
  'comment/edited': (change, { replyMode, now }) => {
    if (change.kind !== 'comment') return null;
    const forgejoCommentId = change.comment.id;
    const body = replyTextOf(change.comment.body, replyMode);
    if (body === null) return { command: { type: 'RemoveTeamReply', data: { forgejoCommentId, now } }, changed: 'reply_removed', unchanged: 'unchanged' };
    return { command: { type: 'EditTeamReply', data: { forgejoCommentId, body, now } }, changed: 'reply_edited', unchanged: 'unchanged' };
  },
  'comment/deleted': (change, { now }) =>
    change.kind !== 'comment'
      ? null
      : { command: { type: 'RemoveTeamReply', data: { forgejoCommentId: change.comment.id, now } }, changed: 'reply_removed', unchanged: 'unchanged' },
};

/** Pure: the command a Forgejo change means for its ticket, or null when it means none. */
export function inboundCommandOf(change: ForgejoChange, context: ChangeContext): InboundCommand | null {
  return TABLE[`${change.kind}/${change.action}`]?.(change, context) ?? null;
}
