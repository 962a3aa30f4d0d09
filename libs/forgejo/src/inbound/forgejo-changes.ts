import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { PinoLogger } from 'nestjs-pino';
import type { Actor } from '../../../event-store/src/index.js';
import { TicketByIssueQuery, type ForgejoRepository } from '../../../read-models/src/index.js';
import { commandMetadata, toMessage, type Via } from '../../../ticket-commands/src/index.js';
import { TicketRuleBroken, type TicketCommand } from '../../../ticket-domain/src/index.js';
import { replyTextOf } from './reply-text.js';

/*
 * The inbound side's one way from a Forgejo change to a ticket: whether a webhook delivered it or reconcile read it
 * back, the change finds its ticket (the read model's lookup), the table below gives its command, and the
 * CommandBus runs it.
 */

/** A change made in Forgejo, as the inbound side sees it: the same shape however it came in. */
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

// Postgres takes no NUL character (in jsonb or a text parameter), and a Forgejo text may hold one: each becomes U+FFFD,
// the same whether a webhook or reconcile brought it, so both give one text
const NUL = /\u0000/g;
const withoutNul = (text: string) => text.replace(NUL, '\uFFFD');
function withoutNuls(change: ForgejoChange): ForgejoChange {
  const login = change.login === null ? null : withoutNul(change.login);
  const repository = { owner: withoutNul(change.repository.owner), name: withoutNul(change.repository.name) };
  if (change.kind === 'issue') return { ...change, login, repository };
  return { ...change, login, repository, comment: { ...change.comment, body: withoutNul(change.comment.body), authorName: withoutNul(change.comment.authorName) } };
}

/** Pure: the command a Forgejo change means for its ticket, or null when it means none. */
export function inboundCommandOf(change: ForgejoChange, context: ChangeContext): InboundCommand | null {
  return TABLE[`${change.kind}/${change.action}`]?.(change, context) ?? null;
}

export interface ChangeSource {
  /** how it came in: a webhook delivery, or reconcile reading Forgejo back */
  via: Extract<Via, 'webhook' | 'reconcile'>;
  deliveryId: string | null;
  /** what ties the change's events together: the delivery id, else the request's (or the pass's) id */
  correlationId: string;
  replyMode: ChangeContext['replyMode'];
}

/**
 * Applies one Forgejo change to the slug's ticket it concerns, through the table above and the CommandBus, and
 * answers what happened (the row's `changed` or `unchanged`, `not_found` or `ignored`); the change is visible to a
 * GET before this returns.
 */
@Injectable()
export class ForgejoChanges {
  constructor(
    private readonly tickets: TicketByIssueQuery,
    private readonly commands: CommandBus,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('ForgejoChanges');
  }

  async apply(slug: string, delivered: ForgejoChange, source: ChangeSource): Promise<string> {
    const change = withoutNuls(delivered);
    const ticket = await this.tickets.find(slug, change.repository, change.issueNumber);
    // an org-wide hook's delivery from a repository none of the slug's tickets live in: not ours
    if (!ticket) return (await this.tickets.isKnown(slug, change.repository)) ? 'not_found' : 'ignored';
    const inbound = inboundCommandOf(change, { replyMode: source.replyMode, deliveryId: source.deliveryId, newId: randomUUID(), now: new Date().toISOString() });
    if (!inbound) return 'ignored';
    const actor: Actor = change.login === null ? { type: 'forgejo' } : { type: 'forgejo', login: change.login };
    const metadata = commandMetadata({ actor, correlationId: source.correlationId, causationId: source.deliveryId ?? undefined, via: source.via });
    try {
      const outcome = await this.commands.execute(toMessage(ticket.id, inbound.command, metadata));
      // the runner answers once the read models show the event
      if (outcome.events.length > 0) return inbound.changed;
    } catch (error) {
      // the read model's link and the stream disagree (cannot happen short of a rebuild in flight): not this ticket
      if (error instanceof TicketRuleBroken) {
        this.logger.warn({ slug, issueNumber: change.issueNumber, ticketId: ticket.id, reason: error.message }, 'Forgejo change does not match its ticket');
        return 'not_found';
      }
      throw error;
    }
    // changed nothing (another delivery, or the link's own look at the issue, did it a moment ago): the runner
    // answered once the read models show what it decided on
    return inbound.unchanged;
  }
}
