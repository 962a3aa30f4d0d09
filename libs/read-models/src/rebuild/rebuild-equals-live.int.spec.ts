import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PostgresEventStore, type NewEvent } from '../../../event-store/src/index.js';
import { applyOrPark, describeError, parkEvent, writeCheckpoint } from '../../../projections/src/index.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.js';
import { ticketsProjection } from '../tickets/tickets.projection.js';
import { rebuildReadModels } from './rebuild.js';

const META = { actor: { type: 'system' as const }, correlationId: 'rebuild-equals-live', causationId: 'rebuild-equals-live' };
const event = (type: string, data: Record<string, unknown>): NewEvent => ({ id: randomUUID(), type, data, metadata: META });

/** A small deterministic random source, so a failure can be run again as it was. */
function random(seed: number) {
  let state = seed;
  return () => ((state = (state * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24;
}

/**
 * A varied history, its streams interleaved: comments, team replies edited and removed, links, closes, reopens
 * by either side (owed Forgejo reopens), sync failures and retries, notifications; moments that go back as well as
 * forward; and events that cannot be applied (to be parked): a comment on no ticket, a TicketCreated with a malformed
 * customer id, a malformed moment.
 */
function history(tickets: number, seed: number): Array<{ stream: string; event: NewEvent }> {
  const next = random(seed);
  const base = Date.UTC(2026, 0, 1);
  const at = (i: number) => new Date(base + i * 60_000 + Math.floor(next() * 600_000) - 300_000).toISOString();
  const streams: Array<Array<{ stream: string; event: NewEvent }>> = [];
  let clock = 0;
  let forgejoId = 1;
  for (let t = 0; t < tickets; t++) {
    const ticketId = randomUUID();
    const stream = `ticket-${ticketId}`;
    const events: NewEvent[] = [];
    const customerId = randomUUID();
    const comments: string[] = [];
    const replies: string[] = [];
    let closed = false;
    events.push(event('TicketCreated', { ticketId, repo: `desk-${t % 3}`, title: `ticket ${t}`, description: `about ${t}`, customerId, customerEmail: `c${t}@example.com`, createdAt: at(clock++) }));
    const steps = 4 + Math.floor(next() * 14);
    for (let s = 0; s < steps; s++) {
      const roll = next();
      if (roll < 0.2) {
        const commentId = randomUUID();
        comments.push(commentId);
        events.push(event('CommentAdded', { ticketId, commentId, body: `comment ${s} on ${t}`, authorId: customerId, authorEmail: `c${t}@example.com`, createdAt: at(clock++) }));
      } else if (roll < 0.3 && comments.length) {
        const commentId = comments[Math.floor(next() * comments.length)];
        events.push(event('ForgejoCommentLinked', { ticketId, commentId, forgejoCommentId: forgejoId++, linkedAt: at(clock++) }));
      } else if (roll < 0.38) {
        events.push(event('ForgejoIssueLinked', { ticketId, issueNumber: t + 1, ...(next() < 0.5 ? { owner: 'acme', name: 'desk' } : {}), linkedAt: at(clock++) }));
      } else if (roll < 0.48) {
        const replyId = randomUUID();
        replies.push(replyId);
        events.push(event('TeamReplyAdded', { ticketId, replyId, forgejoCommentId: forgejoId++, body: `/reply ${s}`, authorName: 'Alice', createdAt: at(clock++) }));
      } else if (roll < 0.54 && replies.length) {
        const replyId = replies[Math.floor(next() * replies.length)];
        events.push(event('TeamReplyEdited', { ticketId, replyId, forgejoCommentId: 1, body: `edited ${s}`, editedAt: at(clock++) }));
      } else if (roll < 0.58 && replies.length) {
        const replyId = replies.splice(Math.floor(next() * replies.length), 1)[0];
        events.push(event('TeamReplyRemoved', { ticketId, replyId, forgejoCommentId: 1, removedAt: at(clock++) }));
      } else if (roll < 0.68 && !closed) {
        closed = true;
        events.push(event('IssueClosed', { ticketId, issueNumber: t + 1, closedBy: 'alice', deliveryId: randomUUID(), closedAt: at(clock++) }));
        events.push(event('NotificationSent', { ticketId, notificationFor: randomUUID(), to: `c${t}@example.com`, sentAt: at(clock++) }));
      } else if (roll < 0.78 && closed) {
        closed = false;
        const reopenedBy = next() < 0.6 ? 'customer' : 'forgejo';
        events.push(event('TicketReopened', { ticketId, reopenedBy, closeRevision: 1, reopenedAt: at(clock++) }));
        if (reopenedBy === 'customer' && next() < 0.7) {
          events.push(event('ForgejoIssueReopened', { ticketId, reopenRevision: 1, forgejoCommentId: forgejoId++, reopenedAt: at(clock++) }));
        }
      } else if (roll < 0.82) {
        events.push(event('ForgejoIssueReopened', { ticketId, reopenRevision: 1, forgejoCommentId: forgejoId++, reopenedAt: at(clock++) }));
      } else if (roll < 0.87) {
        events.push(event('ForgejoIssueSyncFailed', { ticketId, reason: `422 refused ${s}`, attempts: 3, failedAt: at(clock++) }));
      } else if (roll < 0.92 && comments.length) {
        const commentId = comments[Math.floor(next() * comments.length)];
        events.push(event('ForgejoCommentSyncFailed', { ticketId, commentId, reason: `500 ${s}`, attempts: 10, failedAt: at(clock++) }));
      } else if (roll < 0.96) {
        events.push(event('ForgejoSyncRetryRequested', { ticketId, requestedAt: at(clock++) }));
      }
    }
    if (t === 3) events.push(event('CommentAdded', { ticketId: randomUUID(), commentId: randomUUID(), body: 'on no ticket', authorId: customerId, authorEmail: 'x@example.com', createdAt: at(clock++) }));
    if (t === 5) events.push(event('IssueClosed', { ticketId, issueNumber: 1, closedBy: null, deliveryId: null, closedAt: 'not a moment' }));
    streams.push(events.map((e) => ({ stream, event: e })));
    if (t === 7) {
      const broken = randomUUID();
      streams.push([{ stream: `ticket-${broken}`, event: event('TicketCreated', { ticketId: broken, repo: 'desk-0', title: 'broken', description: 'd', customerId: 'not-a-uuid', customerEmail: 'b@example.com', createdAt: at(clock++) }) }]);
    }
  }
  // interleave the streams as time would: a ticket's events spread over many pages of the log
  const log: Array<{ stream: string; event: NewEvent }> = [];
  while (streams.some((s) => s.length)) {
    const open = streams.filter((s) => s.length);
    const chosen = open[Math.floor(next() * open.length)];
    log.push(...chosen.splice(0, 1 + Math.floor(next() * 3)));
  }
  return log;
}

describe('the bulk rebuild (folded pages written in bulk) against the live projection', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;

  const checksum = async () =>
    (
      await db.pool.query(`
        SELECT (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM tickets t) AS tickets,
               (SELECT md5(coalesce(string_agg(c::text, '|' ORDER BY c.id), '')) FROM comments c) AS comments,
               (SELECT count(*) FROM tickets)::int AS tickets_count, (SELECT count(*) FROM comments)::int AS comments_count,
               (SELECT array_agg(event_id::text ORDER BY event_id) FROM parked_events) AS parked`)
    ).rows[0];

  beforeAll(async () => {
    db = await createTestDatabase('rebuildlive');
    store = new PostgresEventStore(db.pool);
    const heads = new Map<string, number>();
    for (const { stream, event: e } of history(120, 42)) {
      const head = heads.get(stream);
      const appended = await store.append(stream, [e], head === undefined ? 'no_stream' : head);
      heads.set(stream, appended.nextRevision);
    }
    // the log is read below the oldest transaction running anywhere on the server (other tests' too): wait for ours to pass
    for (let i = 0; i < 600; i++) {
      const { rows } = await db.pool.query('SELECT pg_snapshot_xmin(pg_current_snapshot()) > (SELECT max(transaction_id) FROM events) AS visible');
      if (rows[0].visible) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // the live projection as the runner applies it: batches of varying size, each with its checkpoint, parking what it cannot apply
    const client = await db.pool.connect();
    try {
      let position = null;
      for (let size = 1; ; size = (size % 9) + 1) {
        const batch = await store.readAll(position, size);
        if (batch.length === 0) break;
        await client.query('BEGIN');
        const unapplied = await applyOrPark(client, batch, (events) => ticketsProjection.applyBatch!(events, client), (one) => ticketsProjection.apply(one, client));
        for (const { event: parked, error } of unapplied) await parkEvent(client, ticketsProjection.name, parked, describeError(error));
        position = batch[batch.length - 1].position;
        await writeCheckpoint(client, ticketsProjection.name, position);
        await client.query('COMMIT');
      }
    } finally {
      client.release();
    }
  }, 120_000);
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  it.each([
    ['pages of 5000 events', 5000],
    ['pages of 7 events (every ticket spread over many pages)', 7],
    ['pages of 50 events', 50],
  ])('gives the same tickets, comments and parked events, with %s', async (_, pageSize) => {
    const live = await checksum();
    expect(live.tickets_count).toBeGreaterThan(100);
    expect(live.comments_count).toBeGreaterThan(100);
    expect(live.parked).toHaveLength(3);
    const result = await rebuildReadModels(db.pool, store, undefined, { pageSize });
    expect(result.parkedEvents).toBe(3);
    expect(await checksum()).toEqual(live);
  }, 120_000);
});
