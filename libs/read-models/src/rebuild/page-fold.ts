import { TICKET_EVENT_TYPES } from '../../../ticket-domain/src/ticket.events.js';
import { ticketOfStream } from '../tickets/ticket-tables.js';
import type { ReplayedEvent } from './log-pages.js';

/**
 * A page of the log folded in memory into what it leaves in the read-model tables, the same as the live
 * projection's statements (tickets.projection.ts) would, so that the rebuild writes each row once, in bulk.
 * Rows the page creates come out whole; rows of earlier pages come out as changes to combine with the stored row
 * (`greatest`, set-if-touched, the owed-reopens counter as max(a, x + b)). The fold takes only events in the shape
 * the service writes: anything else (a malformed field, an event naming a row the page creates later) makes it
 * give up, and the page goes the live projection's way, which parks what cannot be applied. The fresh tables get the
 * comments' foreign key only after the bulk, so the fold refuses a comment on no ticket as the key would.
 */

export interface NewTicket {
  id: string;
  seq: string;
  ownerId: string;
  ownerEmail: string;
  repo: string;
  title: string;
  description: string;
  status: 'open' | 'closed';
  issueNumber: number | null;
  forgejoOwner: string | null;
  forgejoName: string | null;
  createdAt: string;
  updatedAt: number;
  closedAt: string | null;
  reopensOwed: number;
  syncError: string | null;
  syncFailedAt: string | null;
  /** the last revision of its stream the row shows */
  streamRevision: number;
}

/** What the page does to a ticket an earlier page created (absent: nothing there, as an UPDATE of no row). */
export interface TicketChange {
  id: string;
  status: 'open' | 'closed' | null;
  closed: { at: string | null } | null;
  /** the latest of the page's moments that move updated_at forward (ms), or null */
  bump: number | null;
  link: { issueNumber: number; owner: string | null; name: string | null } | null;
  /** the owed-reopens counter becomes max(owedFloor, owed + owedAdd); owedFloor null stands for no floor */
  owedFloor: number | null;
  owedAdd: number;
  sync: { error: string | null; at: string | null } | null;
  /** the latest revision of the ticket's stream among the page's events, or null */
  streamRevision: number | null;
}

export interface NewComment {
  id: string;
  ticketId: string;
  revision: number;
  body: string;
  author: 'customer' | 'team';
  authorId: string | null;
  authorEmail: string | null;
  authorName: string | null;
  forgejoCommentId: number | null;
  createdAt: string;
  editedAt: string | null;
  syncError: string | null;
  syncFailedAt: string | null;
  /** removed again within the page */
  removed: boolean;
}

/** What the page does to a comment an earlier page stored (`ticketId` as stored). */
export interface CommentChange {
  id: string;
  ticketId: string;
  forgejoCommentId: { value: number } | null;
  edit: { body: string; at: string } | null;
  sync: { error: string | null; at: string | null } | null;
  removed: boolean;
}

export interface FoldedPage {
  newTickets: NewTicket[];
  ticketChanges: TicketChange[];
  newComments: NewComment[];
  commentChanges: CommentChange[];
  /** tickets whose stored comments outside `commentChanges` lose their sync error (a retry was asked for) */
  retriedTickets: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const INT4_MAX = 2 ** 31 - 1;

class NotFoldable extends Error {}

const data = (event: ReplayedEvent) => event.data as Record<string, unknown> | null;

function uuid(value: unknown): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw new NotFoldable();
  return value;
}
function text(value: unknown): string {
  if (typeof value !== 'string' || value.includes('\u0000')) throw new NotFoldable();
  return value;
}
function optionalText(value: unknown): string | null {
  return value === undefined || value === null ? null : text(value);
}
/** A moment as Date#toISOString writes it: then JavaScript and Postgres read the same instant. */
function moment(value: unknown): string {
  if (typeof value !== 'string' || value.length !== 24) throw new NotFoldable();
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || new Date(ms).toISOString() !== value) throw new NotFoldable();
  return value;
}
function integer(value: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < -max - 1 || value > max) throw new NotFoldable();
  return value;
}
const later = (a: number | null, b: string) => Math.max(a ?? -Infinity, Date.parse(b));

/** Per ticket stream of the page, the last revision of its events past the TicketCreated. */
function lastRevisions(page: ReplayedEvent[]): Map<string, number> {
  const last = new Map<string, number>();
  for (const event of page) {
    const id = ticketOfStream(event.streamId);
    if (id && event.type !== 'TicketCreated' && event.revision > (last.get(id) ?? -1)) last.set(id, event.revision);
  }
  return last;
}

/** The rows of earlier pages a page's events need to know of: the comments it changes by id, the tickets it comments on. */
export interface EarlierRows {
  /** comment id to its ticket */
  comments: ReadonlyMap<string, string>;
  tickets: ReadonlySet<string>;
}

/** The comment ids a page's events change by id: those of earlier pages must be looked up first. */
export function commentIdsChanged(page: ReplayedEvent[]): string[] {
  const ids = new Set<string>();
  for (const event of page) {
    const d = data(event);
    if (event.type === 'ForgejoCommentLinked' || event.type === 'ForgejoCommentSyncFailed') ids.add(String(d?.commentId));
    if (event.type === 'TeamReplyEdited' || event.type === 'TeamReplyRemoved') ids.add(String(d?.replyId));
  }
  // a malformed id is never stored (and the fold gives up on it)
  return [...ids].filter((id) => UUID.test(id));
}

/** The tickets a page's comments are added to that the page does not create: those of earlier pages must be looked up first. */
export function ticketIdsCommentedOn(page: ReplayedEvent[]): string[] {
  const commented = new Set<string>();
  const created = new Set<string>();
  for (const event of page) {
    const ticketId = String(data(event)?.ticketId);
    if (event.type === 'CommentAdded' || event.type === 'TeamReplyAdded') commented.add(ticketId);
    if (event.type === 'TicketCreated') created.add(ticketId);
  }
  return [...commented].filter((id) => !created.has(id) && UUID.test(id));
}

/**
 * Folds a page; `earlier` holds those of `commentIdsChanged(page)` and `ticketIdsCommentedOn(page)` that earlier
 * pages stored. Null when the page holds an event outside the shapes the fold takes.
 */
export function foldPage(page: ReplayedEvent[], earlier: EarlierRows): FoldedPage | null {
  try {
    return fold(page, earlier);
  } catch (error) {
    if (error instanceof NotFoldable) return null;
    throw error;
  }
}

function fold(page: ReplayedEvent[], earlier: EarlierRows): FoldedPage {
  const stored = earlier.comments;
  const newTickets = new Map<string, NewTicket>();
  const ticketChanges = new Map<string, TicketChange>();
  const newComments = new Map<string, NewComment>();
  const commentChanges = new Map<string, CommentChange>();
  const retried = new Set<string>();
  // ids created further on in the page: the live projection inserts first, so an earlier event naming one would see it
  const createdLater = new Set<string>();
  for (const event of page) {
    const d = data(event);
    if (event.type === 'TicketCreated') createdLater.add(String(d?.ticketId));
    if (event.type === 'CommentAdded') createdLater.add(String(d?.commentId));
    if (event.type === 'TeamReplyAdded') createdLater.add(String(d?.replyId));
  }

  const ticket = (id: string): { created: NewTicket } | { change: TicketChange } => {
    const created = newTickets.get(id);
    if (created) return { created };
    if (createdLater.has(id)) throw new NotFoldable();
    let change = ticketChanges.get(id);
    if (!change) {
      change = { id, status: null, closed: null, bump: null, link: null, owedFloor: null, owedAdd: 0, sync: null, streamRevision: null };
      ticketChanges.set(id, change);
    }
    return { change };
  };
  const bump = (id: string, at: string) => {
    const t = ticket(id);
    if ('created' in t) t.created.updatedAt = later(t.created.updatedAt, at);
    else t.change.bump = later(t.change.bump, at);
  };
  /** the comment as the page leaves it so far; null when there is none (an UPDATE of no row) */
  const comment = (id: string): { created: NewComment } | { change: CommentChange } | null => {
    const created = newComments.get(id);
    if (created) return created.removed ? null : { created };
    if (createdLater.has(id)) throw new NotFoldable();
    const change = commentChanges.get(id);
    if (change) return change.removed ? null : { change };
    const ticketId = stored.get(id);
    if (ticketId === undefined) return null;
    const fresh: CommentChange = { id, ticketId, forgejoCommentId: null, edit: null, sync: null, removed: false };
    commentChanges.set(id, fresh);
    return { change: fresh };
  };
  const addComment = (created: NewComment) => {
    if (newComments.has(created.id) || stored.has(created.id)) throw new NotFoldable();
    if (!newTickets.has(created.ticketId) && !earlier.tickets.has(created.ticketId)) throw new NotFoldable();
    createdLater.delete(created.id);
    newComments.set(created.id, created);
    bump(created.ticketId, created.createdAt);
  };

  for (const event of page) {
    const d = data(event);
    if (typeof d !== 'object' || d === null) {
      if (TICKET_EVENT_TYPES.has(event.type)) throw new NotFoldable();
      continue;
    }
    switch (event.type) {
      case 'TicketCreated': {
        const id = uuid(d.ticketId);
        if (newTickets.has(id) || ticketChanges.has(id)) throw new NotFoldable();
        const createdAt = moment(d.createdAt);
        createdLater.delete(id);
        newTickets.set(id, {
          id,
          seq: event.position.prepare.toString(),
          ownerId: uuid(d.customerId),
          ownerEmail: text(d.customerEmail),
          repo: text(d.repo),
          title: text(d.title),
          description: text(d.description),
          status: 'open',
          issueNumber: null,
          forgejoOwner: null,
          forgejoName: null,
          createdAt,
          updatedAt: Date.parse(createdAt),
          closedAt: null,
          reopensOwed: 0,
          syncError: null,
          syncFailedAt: null,
          streamRevision: event.revision,
        });
        break;
      }
      case 'CommentAdded':
        addComment({
          id: uuid(d.commentId),
          ticketId: uuid(d.ticketId),
          revision: event.revision,
          body: text(d.body),
          author: 'customer',
          authorId: uuid(d.authorId),
          authorEmail: text(d.authorEmail),
          authorName: null,
          forgejoCommentId: null,
          createdAt: moment(d.createdAt),
          editedAt: null,
          syncError: null,
          syncFailedAt: null,
          removed: false,
        });
        break;
      case 'TeamReplyAdded':
        addComment({
          id: uuid(d.replyId),
          ticketId: uuid(d.ticketId),
          revision: event.revision,
          body: text(d.body),
          author: 'team',
          authorId: null,
          authorEmail: null,
          authorName: text(d.authorName),
          forgejoCommentId: integer(d.forgejoCommentId),
          createdAt: moment(d.createdAt),
          editedAt: null,
          syncError: null,
          syncFailedAt: null,
          removed: false,
        });
        break;
      case 'ForgejoIssueLinked': {
        const id = uuid(d.ticketId);
        const link = { issueNumber: integer(d.issueNumber, INT4_MAX), owner: optionalText(d.owner), name: optionalText(d.name) };
        const at = moment(d.linkedAt);
        const t = ticket(id);
        if ('created' in t) Object.assign(t.created, { issueNumber: link.issueNumber, forgejoOwner: link.owner, forgejoName: link.name });
        else t.change.link = link;
        bump(id, at);
        break;
      }
      case 'ForgejoCommentLinked': {
        const forgejoCommentId = integer(d.forgejoCommentId);
        const c = comment(uuid(d.commentId));
        if (c && 'created' in c) c.created.forgejoCommentId = forgejoCommentId;
        else if (c) c.change.forgejoCommentId = { value: forgejoCommentId };
        break;
      }
      case 'IssueClosed': {
        const id = uuid(d.ticketId);
        const at = moment(d.closedAt);
        const t = ticket(id);
        if ('created' in t) Object.assign(t.created, { status: 'closed', closedAt: at });
        else Object.assign(t.change, { status: 'closed', closed: { at } });
        bump(id, at);
        break;
      }
      case 'TicketReopened': {
        const id = uuid(d.ticketId);
        const at = moment(d.reopenedAt);
        const owed = d.reopenedBy === 'customer' ? 1 : 0;
        const t = ticket(id);
        if ('created' in t) Object.assign(t.created, { status: 'open', closedAt: null, reopensOwed: t.created.reopensOwed + owed });
        else {
          Object.assign(t.change, { status: 'open', closed: { at: null } });
          if (t.change.owedFloor !== null) t.change.owedFloor += owed;
          t.change.owedAdd += owed;
        }
        bump(id, at);
        break;
      }
      case 'ForgejoIssueReopened': {
        const t = ticket(uuid(d.ticketId));
        if ('created' in t) t.created.reopensOwed = Math.max(0, t.created.reopensOwed - 1);
        else {
          // max(0, max(a, x + b) - 1) = max(max(0, a - 1), x + b - 1)
          t.change.owedFloor = Math.max(0, (t.change.owedFloor ?? 0) - 1);
          t.change.owedAdd -= 1;
        }
        break;
      }
      case 'ForgejoIssueSyncFailed': {
        const sync = { error: text(d.reason), at: moment(d.failedAt) };
        const t = ticket(uuid(d.ticketId));
        if ('created' in t) Object.assign(t.created, { syncError: sync.error, syncFailedAt: sync.at });
        else t.change.sync = sync;
        break;
      }
      case 'ForgejoCommentSyncFailed': {
        const sync = { error: text(d.reason), at: moment(d.failedAt) };
        const c = comment(uuid(d.commentId));
        if (c && 'created' in c) Object.assign(c.created, { syncError: sync.error, syncFailedAt: sync.at });
        else if (c) c.change.sync = sync;
        break;
      }
      case 'TeamReplyEdited': {
        const edit = { body: text(d.body), at: moment(d.editedAt) };
        const ticketId = uuid(d.ticketId);
        const c = comment(uuid(d.replyId));
        if (c && 'created' in c) Object.assign(c.created, { body: edit.body, editedAt: edit.at });
        else if (c) c.change.edit = edit;
        bump(ticketId, edit.at);
        break;
      }
      case 'TeamReplyRemoved': {
        const at = moment(d.removedAt);
        const ticketId = uuid(d.ticketId);
        const c = comment(uuid(d.replyId));
        if (c && 'created' in c) c.created.removed = true;
        else if (c) c.change.removed = true;
        bump(ticketId, at);
        break;
      }
      case 'ForgejoSyncRetryRequested': {
        const id = uuid(d.ticketId);
        const t = ticket(id);
        if ('created' in t) Object.assign(t.created, { syncError: null, syncFailedAt: null });
        else t.change.sync = { error: null, at: null };
        // the stored comments the page changes by id are folded here; the writer clears the ticket's others
        for (const [commentId, ticketId] of stored) if (ticketId === id) comment(commentId);
        for (const c of newComments.values()) if (c.ticketId === id) Object.assign(c, { syncError: null, syncFailedAt: null });
        for (const c of commentChanges.values()) if (c.ticketId === id) c.sync = { error: null, at: null };
        retried.add(id);
        break;
      }
      default:
        break;
    }
  }
  // after everything else, as the live projection marks them: each ticket stream's last revision on its row
  for (const [id, revision] of lastRevisions(page)) {
    const created = newTickets.get(id);
    if (created) created.streamRevision = Math.max(created.streamRevision, revision);
    else {
      const { change } = ticket(id) as { change: TicketChange };
      change.streamRevision = Math.max(change.streamRevision ?? -Infinity, revision);
    }
  }
  return {
    newTickets: [...newTickets.values()],
    ticketChanges: [...ticketChanges.values()],
    // a comment added and removed in the page is still inserted (and then deleted), as the live projection does
    newComments: [...newComments.values()],
    commentChanges: [...commentChanges.values()],
    retriedTickets: [...retried],
  };
}
