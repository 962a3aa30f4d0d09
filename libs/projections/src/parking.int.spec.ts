import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EVENT_STORE, PostgresEventStore, type EventStore } from '../../event-store/src/index.js';
import { ticketsProjection } from '../../read-models/src/index.js';
import { startTestApi, type TestApi } from '../../../test/support/api.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.js';
import { testEvent } from '../../event-store/src/testing/test-event.js';
import { adminEnv, adminToken, call, createRepo, newCustomer } from '../../../test/support/http.js';
import { waitUntil } from '../../../test/support/wait.js';
import { comparePositions } from '../../event-store/src/index.js';
import { listParkedEvents, ProjectionRunner, readCheckpoint } from './index.js';

const ticketCreated = (ticketId: string, createdAt: string) =>
  testEvent('TicketCreated', {
    ticketId,
    repo: 'desk',
    title: `ticket ${ticketId.slice(0, 8)}`,
    description: 'about it',
    customerId: randomUUID(),
    customerEmail: 'someone@example.com',
    createdAt,
  });

describe('an event a projection cannot apply', () => {
  describe('in the middle of a batch', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase('parking');
    });
    afterAll(async () => {
      await db.drop();
    });

    it('is parked with its error; the events around it are applied and the checkpoint moves past it', async () => {
      const store = new PostgresEventStore(db.pool);
      const [before, bad, after] = [randomUUID(), randomUUID(), randomUUID()];
      await store.append(`ticket-${before}`, [ticketCreated(before, new Date().toISOString())], 'no_stream');
      // not a timestamp: Postgres refuses it (SQLSTATE 22007), whatever the read model's constraints
      const { position: badAt } = await store.append(`ticket-${bad}`, [ticketCreated(bad, 'the day after tomorrow')], 'no_stream');
      const { position: last } = await store.append(`ticket-${after}`, [ticketCreated(after, new Date().toISOString())], 'no_stream');

      // the whole backlog reaches the runner as one batch
      const runner = new ProjectionRunner({ pool: db.pool, store, projection: ticketsProjection, batchSize: 100 });
      runner.start();
      try {
        await waitUntil(async () => {
          const checkpoint = await readCheckpoint(db.pool, 'tickets');
          return checkpoint && comparePositions(checkpoint, last) >= 0;
        }, { what: 'the checkpoint past every event' });
      } finally {
        await runner.stop();
      }
      const { rows } = await db.pool.query('SELECT id FROM tickets ORDER BY seq');
      expect(rows.map((row) => row.id)).toEqual([before, after]);
      const parked = await listParkedEvents(db.pool);
      expect(parked).toEqual([
        {
          projection: 'tickets',
          eventId: expect.any(String),
          streamId: `ticket-${bad}`,
          revision: 0,
          type: 'TicketCreated',
          position: { commit: badAt.commit.toString(), prepare: badAt.prepare.toString() },
          error: expect.stringMatching(/^\[22007\] invalid input syntax for type timestamp/),
          parkedAt: expect.any(String),
        },
      ]);
    });
  });

  describe('in the running API', () => {
    let api: TestApi;
    let admin: string;
    let customer: { token: string };
    beforeAll(async () => {
      api = await startTestApi({ ...adminEnv, AUTH_RATE_LIMIT: '1000' });
      admin = await adminToken(api.url);
      await createRepo(api.url, admin, 'desk');
      customer = await newCustomer(api.url);
    });
    afterAll(async () => {
      await api.close();
    });

    it('is shown by /health and the admin sync-failures view, later writes are served, and a rebuild parks it too', async () => {
      const health = await call(api.url, 'GET', '/health');
      expect(health.body).not.toHaveProperty('parkedEvents');

      const store = api.app.get<symbol, EventStore>(EVENT_STORE);
      const bad = randomUUID();
      const badEvent = ticketCreated(bad, 'not a date');
      await store.append(`ticket-${bad}`, [badEvent], 'no_stream');

      // a later write is answered, visible and whole
      const created = await call(api.url, 'POST', '/tickets', { token: customer.token, body: { repo: 'desk', title: 'after the bad one', description: 'still served' } });
      expect(created.status).toBe(201);
      const read = await call(api.url, 'GET', `/tickets/${created.body.id}`, { token: customer.token });
      expect(read.status).toBe(200);
      expect(read.body.title).toBe('after the bad one');

      const healthAfter = await waitUntil(async () => {
        const reply = await call(api.url, 'GET', '/health');
        return reply.body.parkedEvents ? reply : null;
      }, { what: '/health to show the parked event' });
      expect(healthAfter!.status).toBe(200);
      expect(healthAfter!.body).toMatchObject({ status: 'ok', parkedEvents: 1 });

      const failures = await call(api.url, 'GET', '/admin/sync-failures', { token: admin });
      expect(failures.status).toBe(200);
      expect(failures.body).toMatchObject({ tickets: [], comments: [] });
      expect(failures.body.parkedEvents).toEqual([
        expect.objectContaining({ projection: 'tickets', eventId: badEvent.id, streamId: `ticket-${bad}`, type: 'TicketCreated', error: expect.stringContaining('22007') }),
      ]);

      const rebuilt = await call(api.url, 'POST', '/admin/projections/rebuild', { token: admin });
      expect(rebuilt.status).toBe(200);
      expect(rebuilt.body).toEqual({ eventsReplayed: expect.any(Number), durationMs: expect.any(Number), parkedEvents: 1 });
      const afterRebuild = await call(api.url, 'GET', '/admin/sync-failures', { token: admin });
      expect(afterRebuild.body.parkedEvents).toEqual([expect.objectContaining({ eventId: badEvent.id })]);
      expect((await call(api.url, 'GET', `/tickets/${created.body.id}`, { token: customer.token })).status).toBe(200);
    });
  });
});
