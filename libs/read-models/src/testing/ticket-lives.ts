import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { NewEvent } from '../../../event-store/src/index.js';
import type { TicketEvent } from '../../../ticket-domain/src/index.js';

/** One append: its events go to `stream` in one call. */
export interface PlannedAppend {
  stream: string;
  events: NewEvent[];
}

const metadata = () => {
  const id = randomUUID();
  return { actor: { type: 'system' as const }, correlationId: id, causationId: id };
};
const newEvent = (event: TicketEvent): NewEvent => ({ id: randomUUID(), type: event.type, data: event.data, metadata: metadata() });
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();

/**
 * Every kind of ticket event, for `count` tickets, as a list of appends interleaved across the tickets (what many
 * customers and Forgejo do at once). The fifth ticket carries a comment no read model can take (not a date).
 * The same list appended to two stores in the same order gives the same positions, so the same `seq`.
 */
export function ticketLives(count: number): PlannedAppend[] {
  const lives = Array.from({ length: count }, (_, i) => lifeOf(i));
  const appends: PlannedAppend[] = [];
  for (let step = 0; lives.some((life) => step < life.length); step++) {
    for (const life of lives) if (step < life.length) appends.push(life[step]);
  }
  return appends;
}

function lifeOf(i: number): PlannedAppend[] {
  const ticketId = randomUUID();
  const stream = `ticket-${ticketId}`;
  const [commentId, secondCommentId, replyId] = [randomUUID(), randomUUID(), randomUUID()];
  const customerId = randomUUID();
  const append = (...events: TicketEvent[]): PlannedAppend => ({ stream, events: events.map(newEvent) });
  return [
    append({
      type: 'TicketCreated',
      data: { ticketId, repo: 'desk', title: `ticket ${i}`, description: `about ${i}`, customerId, customerEmail: `c${i}@example.com`, createdAt: at(i) },
    }),
    append({ type: 'ForgejoIssueLinked', data: { ticketId, issueNumber: i + 1, owner: 'acme', name: 'desk', linkedAt: at(i + 1) } }),
    append(
      { type: 'CommentAdded', data: { ticketId, commentId, body: `first of ${i}`, authorId: customerId, authorEmail: `c${i}@example.com`, createdAt: at(i + 2) } },
      {
        type: 'CommentAdded',
        data: { ticketId, commentId: secondCommentId, body: `second of ${i}`, authorId: customerId, authorEmail: `c${i}@example.com`, createdAt: i === 4 ? 'not a date' : at(i + 3) },
      },
    ),
    append({ type: 'ForgejoCommentSyncFailed', data: { ticketId, commentId, reason: 'HTTP 500', attempts: 5, failedAt: at(i + 4) } }),
    append({ type: 'ForgejoSyncRetryRequested', data: { ticketId, requestedAt: at(i + 5) } }),
    append({ type: 'ForgejoCommentLinked', data: { ticketId, commentId, forgejoCommentId: 1000 + i, linkedAt: at(i + 6) } }),
    append({ type: 'TeamReplyAdded', data: { ticketId, replyId, forgejoCommentId: 2000 + i, body: `reply to ${i}`, authorName: 'team', createdAt: at(i + 7) } }),
    append({ type: 'TeamReplyEdited', data: { ticketId, replyId, forgejoCommentId: 2000 + i, body: `reply to ${i}, edited`, editedAt: at(i + 8) } }),
    append({ type: 'IssueClosed', data: { ticketId, issueNumber: i + 1, closedBy: 'team', deliveryId: randomUUID(), closedAt: at(i + 9) } }),
    append({ type: 'TicketReopened', data: { ticketId, reopenedBy: 'customer', closeRevision: 9, reopenedAt: at(i + 10) } }),
    ...(i % 2 === 0
      ? [
          append({ type: 'ForgejoIssueReopened', data: { ticketId, reopenRevision: 10, forgejoCommentId: 3000 + i, reopenedAt: at(i + 11) } }),
          append({ type: 'TeamReplyRemoved', data: { ticketId, replyId, forgejoCommentId: 2000 + i, removedAt: at(i + 12) } }),
        ]
      : [append({ type: 'IssueClosed', data: { ticketId, issueNumber: i + 1, closedBy: 'team', deliveryId: null, closedAt: at(i + 11) } })]),
  ];
}

/** Every row of the tickets and comments read models, and the parked events, in a stable order. */
export async function readModelRows(db: pg.Pool | pg.ClientBase, tables = { tickets: 'tickets', comments: 'comments' }): Promise<unknown> {
  const tickets = await db.query(`SELECT * FROM ${tables.tickets} ORDER BY id`);
  const comments = await db.query(`SELECT * FROM ${tables.comments} ORDER BY id`);
  const parked = await db.query('SELECT projection, event_id, stream_id, revision, type FROM parked_events ORDER BY event_id');
  return { tickets: tickets.rows, comments: comments.rows, parked: parked.rows };
}
