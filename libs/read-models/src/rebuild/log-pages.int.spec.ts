import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PostgresEventStore, type Position, type RecordedEvent } from '../../../event-store/src/index.js';
import { testEvent } from '../../../event-store/src/testing/test-event.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.js';
import { logPages, PAGE_BYTES, wholeEvents } from './log-pages.js';

const LENGTH = 65_535;
// four pages' worth of 64 KiB comments
const COMMENTS = Math.ceil((4 * PAGE_BYTES) / LENGTH);

describe('the rebuild’s pages of the Postgres log', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  const ticketId = randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase('logpages');
    store = new PostgresEventStore(db.pool);
    const created = { ticketId, repo: 'desk', title: 't', description: 'd', customerId: randomUUID(), customerEmail: 'a@example.com', createdAt: new Date().toISOString() };
    await store.append(`ticket-${ticketId}`, [testEvent('TicketCreated', created)], 'no_stream');
    // comments of one letter repeated: Postgres stores each in well under a kilobyte; small events between them
    for (let i = 0; i < COMMENTS; i++) {
      const commentId = randomUUID();
      const added = { ticketId, commentId, body: String.fromCharCode(0x61 + (i % 26)).repeat(LENGTH), authorId: randomUUID(), authorEmail: 'a@example.com', createdAt: new Date().toISOString() };
      await store.append(`ticket-${ticketId}`, [testEvent('CommentAdded', added)], 2 * i);
      await store.append(`ticket-${ticketId}`, [testEvent('ForgejoCommentLinked', { ticketId, commentId, forgejoCommentId: i + 1, linkedAt: new Date().toISOString() })], 2 * i + 1);
    }
    // the log is read below the oldest transaction running anywhere on the server (other tests' too): wait for ours to pass
    for (let i = 0; i < 600; i++) {
      const { rows } = await db.pool.query('SELECT pg_snapshot_xmin(pg_current_snapshot()) > (SELECT max(transaction_id) FROM events) AS visible');
      if (rows[0].visible) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  afterAll(async () => {
    await db.drop();
  });

  it(`cuts a page at ${PAGE_BYTES / 1024 / 1024} MiB of event text, however well Postgres compresses it, and reads every event once, in order`, async () => {
    const { rows } = await db.pool.query<{ stored: number }>(`SELECT max(pg_column_size(data))::int AS stored FROM events WHERE type = 'CommentAdded'`);
    expect(rows[0].stored).toBeLessThan(4096);

    const read = logPages(store, db.pool);
    const all: RecordedEvent[] = [];
    for (let page = await store.readAll(null, 1000); page.length > 0; page = await store.readAll(page[page.length - 1].position, 1000)) {
      all.push(...page);
    }
    expect(all).toHaveLength(1 + 2 * COMMENTS);
    const seen: string[] = [];
    let from: Position | null = null;
    let pages = 0;
    for (;;) {
      const page = await read(from, 5000);
      if (page.length === 0) break;
      const text = page.reduce((sum, event) => sum + Buffer.byteLength(JSON.stringify(event.data)), 0);
      // one event over the limit at most (a page always takes its first event)
      expect(text).toBeLessThanOrEqual(PAGE_BYTES + LENGTH + 1024);
      seen.push(...page.map((event) => event.id));
      from = page[page.length - 1].position;
      pages++;
    }
    expect(seen).toEqual(all.map((event) => event.id));
    expect(pages).toBeGreaterThanOrEqual(4);
  });

  it('gives the events of a page whole again, as the store reads them, for the live projection’s statements', async () => {
    const page = await logPages(store, db.pool)(null, 10);
    expect(page[0]).not.toHaveProperty('metadata');
    const client = await db.pool.connect();
    try {
      expect(await wholeEvents(client, page)).toEqual(await store.readAll(null, 10));
    } finally {
      client.release();
    }
  });
});
