import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { PG_POOL } from '../../libs/database/src/index.js';
import { EVENT_STORE, type EventStore } from '../../libs/event-store/src/index.js';
import { rebuildReadModels, RebuildInProgressError } from '../../libs/read-models/src/index.js';
import { TicketCommandRunner } from '../../libs/ticket-commands/src/ticket-commands.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { adminEnv, adminToken, call, createRepo, newCustomer } from '../support/http.js';

const SYSTEM = { actor: { type: 'system' as const }, correlationId: 'test', causationId: 'test' };

/** One checksum over every row of every read-model table (all columns, in a stable order). */
async function checksum(pool: pg.Pool): Promise<{ tickets: string; comments: string; rows: number }> {
  const { rows } = await pool.query(`
    SELECT (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM tickets t) AS tickets,
           (SELECT md5(coalesce(string_agg(c::text, '|' ORDER BY c.id), '')) FROM comments c) AS comments,
           (SELECT count(*) FROM tickets)::int + (SELECT count(*) FROM comments)::int AS rows`);
  return rows[0];
}

describe('rebuilding the read models from the event log', () => {
  let api: TestApi;
  let customer: { token: string };
  let pool: pg.Pool;
  let store: EventStore;

  const fileTicket = async (title: string) =>
    (await call(api.url, 'POST', '/tickets', { token: customer.token, body: { repo: 'desk', title, description: `about ${title}` } })).body.id as string;

  beforeAll(async () => {
    api = await startTestApi({ ...adminEnv, AUTH_RATE_LIMIT: '1000' });
    await createRepo(api.url, await adminToken(api.url), 'desk');
    customer = await newCustomer(api.url);
    pool = api.app.get(PG_POOL);
    store = api.app.get(EVENT_STORE);
  });
  afterAll(async () => {
    await api.close();
  });

  it('gives read models equal to the live ones, row for row', async () => {
    const runner = api.app.get(TicketCommandRunner);
    for (let i = 0; i < 30; i++) {
      const id = await fileTicket(`ticket ${i}`);
      await call(api.url, 'POST', `/tickets/${id}/comments`, { token: customer.token, body: { body: `comment on ${i}` } });
      if (i % 3 === 0) await runner.run(id, { type: 'LinkForgejoIssue', data: { issueNumber: i + 1, owner: 'acme', name: 'support-desk', now: new Date().toISOString() } }, SYSTEM);
      if (i % 6 === 0) {
        await runner.run(id, { type: 'CloseTicket', data: { issueNumber: i + 1, closedBy: 'alice', deliveryId: `d${i}`, now: new Date().toISOString() } }, SYSTEM);
      }
      if (i % 5 === 1) {
        await runner.run(id, { type: 'RecordSyncFailure', data: { commentId: null, reason: '422 refused', attempts: 1, now: new Date().toISOString() } }, SYSTEM);
      }
    }
    const live = await checksum(pool);
    expect(live.rows).toBe(60);
    const result = await rebuildReadModels(pool, store);
    expect(result.eventsReplayed).toBeGreaterThanOrEqual(60);
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(await checksum(pool)).toEqual(live);
    // and the API still reads and writes through the swapped tables
    const id = await fileTicket('after the rebuild');
    expect((await call(api.url, 'GET', `/tickets/${id}`, { token: customer.token })).status).toBe(200);
  });

  it('loses nothing written while it runs: 200 tickets created concurrently are each there once, with their comments', async () => {
    const writing = Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const id = await fileTicket(`concurrent ${i}`);
        await call(api.url, 'POST', `/tickets/${id}/comments`, { token: customer.token, body: { body: `c${i}` } });
        return id;
      }),
    );
    const [ids] = await Promise.all([writing, rebuildReadModels(pool, store)]);
    // the last writes may have been answered just after the switch: the live projection carries on
    const { rows } = await pool.query(
      `SELECT t.id, count(c.id)::int AS comments FROM tickets t LEFT JOIN comments c ON c.ticket_id = t.id WHERE t.id = ANY($1) GROUP BY t.id`,
      [ids],
    );
    expect(rows).toHaveLength(200);
    expect(rows.every((r) => r.comments === 1)).toBe(true);
    const dupes = await pool.query('SELECT count(*)::int AS n FROM tickets WHERE title LIKE $1', ['concurrent %']);
    expect(dupes.rows[0].n).toBe(200);
    // and another rebuild now still equals live
    const live = await checksum(pool);
    await rebuildReadModels(pool, store);
    expect(await checksum(pool)).toEqual(live);
  }, 120000);

  it('refuses a second rebuild while one runs', async () => {
    // a rebuild running elsewhere holds this lock for its whole run
    const other = await pool.connect();
    try {
      await other.query("SELECT pg_advisory_lock(hashtext('rebuild-read-models'))");
      await expect(rebuildReadModels(pool, store)).rejects.toBeInstanceOf(RebuildInProgressError);
    } finally {
      await other.query("SELECT pg_advisory_unlock(hashtext('rebuild-read-models'))");
      other.release();
    }
    await expect(rebuildReadModels(pool, store)).resolves.toMatchObject({ eventsReplayed: expect.any(Number) });
  });
});
