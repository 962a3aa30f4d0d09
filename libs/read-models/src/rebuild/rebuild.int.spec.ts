import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { createPool } from '../../../database/src/index.js';
import { PostgresEventStore } from '../../../event-store/src/index.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.js';
import { testEvent } from '../../../event-store/src/testing/test-event.js';
import { rebuildReadModels } from './rebuild.js';

describe('a rebuild while the shared pool is exhausted', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    db = await createTestDatabase('rebuildpool');
    pool = createPool(db.url, 3);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('still runs to the end: it reads and writes on connections of its own', async () => {
    const store = new PostgresEventStore(pool);
    for (let i = 0; i < 5; i++) {
      const id = randomUUID();
      await store.append(
        `ticket-${id}`,
        [testEvent('TicketCreated', { ticketId: id, repo: 'desk', title: `t${i}`, description: 'd', customerId: randomUUID(), customerEmail: 'a@example.com', createdAt: new Date().toISOString() })],
        'no_stream',
      );
    }
    // the log is read below the oldest transaction running anywhere on the server (other tests' too): wait for ours to pass
    for (let i = 0; i < 600; i++) {
      const { rows } = await pool.query('SELECT pg_snapshot_xmin(pg_current_snapshot()) > (SELECT max(transaction_id) FROM events) AS visible');
      if (rows[0].visible) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // every client of the shared pool is taken (as by requests queued behind the switch's lock)
    const held = await Promise.all([pool.connect(), pool.connect(), pool.connect()]);
    try {
      const result = await rebuildReadModels(pool, store);
      expect(result).toEqual({ eventsReplayed: 5, durationMs: expect.any(Number), parkedEvents: 0 });
    } finally {
      for (const client of held) client.release();
    }
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM tickets');
    expect(rows[0].n).toBe(5);
  });
});
