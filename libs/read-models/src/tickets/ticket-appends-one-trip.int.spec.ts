import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import pg from 'pg';
import { PostgresEventStore, WrongExpectedVersionError, type NewEvent } from '../../../event-store/src/index.js';
import { inlineProjection } from '../../../projections/src/index.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.js';
import { ticketLives } from '../testing/ticket-lives.js';
import { ticketsProjection } from './tickets.projection.js';

const metadata = () => {
  const id = randomUUID();
  return { actor: { type: 'system' as const }, correlationId: id, causationId: id };
};
const closed = (ticketId: string, minute: number): NewEvent => ({
  id: randomUUID(),
  type: 'IssueClosed',
  data: { ticketId, issueNumber: 1, closedBy: 'team', deliveryId: randomUUID(), closedAt: new Date(Date.UTC(2026, 0, 2, 0, minute)).toISOString() },
  metadata: metadata(),
});

/*
 * An append to a ticket stream that exists goes, with its read-model change, as one simple query (rendered-append.ts):
 * what it gives must be what the statement-by-statement way gives, which it falls back to whenever it cannot.
 */
describe('appends to existing ticket streams, inline, in one round trip', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  const queries = jest.spyOn(pg.Client.prototype, 'query');

  beforeAll(async () => {
    db = await createTestDatabase('one_trip');
    store = new PostgresEventStore(db.pool, { inline: [inlineProjection(ticketsProjection)] });
  });

  afterAll(async () => {
    queries.mockRestore();
    await store.close();
    await db?.drop();
  });

  const revisionOf = new Map<string, number>();
  const append = async (stream: string, events: NewEvent[], expected = revisionOf.get(stream) ?? ('no_stream' as const)) => {
    queries.mockClear();
    const result = await store.append(stream, events, expected);
    revisionOf.set(stream, result.nextRevision);
    // the NOTIFY that wakes subscribers goes later, on its own connection
    return { result, roundTrips: queries.mock.calls.filter(([sql]) => !String(typeof sql === 'string' ? sql : (sql as { text: string }).text).startsWith('NOTIFY')).length };
  };

  it('writes every kind of ticket event in one query, shown at once; data a read model cannot take is parked as before', async () => {
    const appends = ticketLives(5);
    const trips: number[] = [];
    let badComment: NewEvent | undefined;
    for (const { stream, events } of appends) {
      const { result, roundTrips } = await append(stream, events);
      if (events.some((event) => event.data.createdAt === 'not a date')) {
        badComment = events.find((event) => event.data.createdAt === 'not a date');
        // tried in one query, rolled back, then the usual way, which parks the event and commits the append
        expect(roundTrips).toBeGreaterThan(1);
      } else if (badComment && stream === `ticket-${badComment.data.ticketId}`) {
        // that ticket's row now lacks an event: its later appends are left to the runner, as the usual way leaves them
        expect(result.inline ?? []).toEqual([]);
      } else {
        trips.push(roundTrips);
        expect(result.inline).toEqual(['tickets']);
      }
    }
    expect(trips.length).toBeGreaterThan(40);
    expect(new Set(trips)).toEqual(new Set([1]));
    const parked = await db.pool.query<{ event_id: string }>('SELECT event_id FROM parked_events');
    expect(parked.rows.map((row) => row.event_id)).toEqual([badComment!.id]);
  });

  it('refuses a wrong expected revision, answers a retry that landed, and leaves a row behind its stream to the runner', async () => {
    const [{ stream, events }] = ticketLives(1);
    await append(stream, events);
    const ticketId = stream.slice('ticket-'.length);

    // two writers at the same revision: one lands, the other is refused, and the row shows only the one
    const [a, b] = [closed(ticketId, 1), closed(ticketId, 2)];
    const results = await Promise.allSettled([store.append(stream, [a], 0), store.append(stream, [b], 0)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: expect.any(WrongExpectedVersionError) });
    const row = await db.pool.query('SELECT status, stream_revision FROM tickets WHERE id = $1', [ticketId]);
    expect(row.rows[0]).toEqual({ status: 'closed', stream_revision: 1 });

    // the winner's append sent again (a lost answer): the same result, nothing written twice
    const winner = results[0].status === 'fulfilled' ? a : b;
    const again = await store.append(stream, [winner], 0);
    expect(again.nextRevision).toBe(1);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [stream])).rows[0].n).toBe(2);

    // an event appended where no projection runs inline leaves the row behind: the next inline append is left to the
    // runner, and turned back before the insert, so that it draws no position of its own
    await new PostgresEventStore(db.pool).append(stream, [closed(ticketId, 3)], 1);
    const before = (await db.pool.query<{ last: string }>('SELECT max(position)::text AS last FROM events')).rows[0].last;
    const { result } = await append(stream, [closed(ticketId, 4)], 2);
    expect(result.inline ?? []).toEqual([]);
    expect(result.position.prepare).toBe(BigInt(before) + 1n);
  });
});
