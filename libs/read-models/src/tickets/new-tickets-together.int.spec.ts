import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PostgresEventStore, WrongExpectedVersionError, type NewEvent } from '../../../event-store/src/index.js';
import { inlineProjection } from '../../../projections/src/index.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.js';
import { readModelRows } from '../testing/ticket-lives.js';
import { ticketsProjection } from './tickets.projection.js';

const created = (i: number, createdAt = new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString()): { stream: string; events: NewEvent[] } => {
  const ticketId = randomUUID();
  const data = { ticketId, repo: 'desk', title: `ticket ${i}`, description: `about ${i}`, customerId: randomUUID(), customerEmail: `c${i}@example.com`, createdAt };
  const id = randomUUID();
  return { stream: `ticket-${ticketId}`, events: [{ id, type: 'TicketCreated', data, metadata: { actor: { type: 'system' }, correlationId: id, causationId: id } }] };
};

async function rowsButSeq(db: TestDatabase): Promise<unknown> {
  const { tickets, ...rest } = (await readModelRows(db.pool)) as { tickets: Array<{ seq: string }> };
  const bySeq = [...tickets].sort((a, b) => Number(a.seq) - Number(b.seq));
  return { tickets: tickets.map(({ seq: _seq, ...row }) => row), order: bySeq.map((row) => (row as unknown as { id: string }).id), ...rest };
}

/*
 * New tickets that arrive together share one transaction (new-streams.ts): what that gives must be what each
 * append alone gives, also when one of them cannot be applied or takes a stream another took.
 */
describe('new tickets appended together, inline', () => {
  let together: TestDatabase;
  let alone: TestDatabase;

  beforeAll(async () => {
    [together, alone] = await Promise.all([createTestDatabase('together'), createTestDatabase('alone')]);
  });

  afterAll(async () => {
    await Promise.all([together?.drop(), alone?.drop()]);
  });

  it('answer each append as alone: shown inline with its row, a bad one parked, a taken stream refused', async () => {
    const store = new PostgresEventStore(together.pool, { inline: [inlineProjection(ticketsProjection)] });
    const appendAll = (appends: Array<{ stream: string; events: NewEvent[] }>) =>
      Promise.allSettled(appends.map(({ stream, events }) => store.append(stream, events, 'no_stream')));

    // all at once: they gather into a few transactions, and each is answered with its own row
    const first = Array.from({ length: 60 }, (_, i) => created(i));
    for (const [i, result] of (await appendAll(first)).entries()) {
      expect(result).toMatchObject({ status: 'fulfilled', value: { inline: ['tickets'] } });
      const { answers } = (result as PromiseFulfilledResult<{ answers?: Record<string, unknown> }>).value;
      expect(answers?.tickets).toMatchObject({ id: first[i].stream.slice('ticket-'.length), title: `ticket ${i}`, stream_revision: 0 });
    }
    const transactions = await together.pool.query<{ n: number }>('SELECT count(DISTINCT transaction_id)::int AS n FROM events');
    expect(transactions.rows[0].n).toBeLessThan(30);

    // a bad one and a stream taken twice among others: each ends as alone (the others shown, the bad one in the
    // log and parked, the second taker refused)
    const second = Array.from({ length: 20 }, (_, i) => created(100 + i));
    const bad = created(200, 'not a date');
    const taken = { ...created(201), stream: second[7].stream };
    const results = await appendAll([...second, bad, taken]);
    const [rival, winner] = results[7].status === 'fulfilled' ? [results[21], second[7]] : [results[7], taken];
    expect(rival).toMatchObject({ status: 'rejected', reason: expect.any(WrongExpectedVersionError) });
    for (const [i, result] of results.slice(0, 21).entries()) {
      if (i !== 7) expect(result).toMatchObject({ status: 'fulfilled', value: { inline: ['tickets'] } });
    }
    const parked = await together.pool.query<{ event_id: string }>('SELECT event_id FROM parked_events');
    expect(parked.rows.map((row) => row.event_id)).toEqual([bad.events[0].id]);
    const tickets = [...first, ...second.filter((_, i) => i !== 7), winner, bad];

    // the same appends one by one on a store of its own give the same read models
    const plain = new PostgresEventStore(alone.pool, { inline: [inlineProjection(ticketsProjection)] });
    const positions = await together.pool.query<{ stream_id: string }>('SELECT stream_id FROM events ORDER BY position');
    const byStream = new Map(tickets.map((ticket) => [ticket.stream, ticket]));
    for (const { stream_id } of positions.rows) await plain.append(stream_id, byStream.get(stream_id)!.events, 'no_stream');
    // positions a rolled-back batch drew are not drawn again, so `seq` may skip: equal but for that, in the same order
    expect(await rowsButSeq(together)).toEqual(await rowsButSeq(alone));
    await Promise.all([store.close(), plain.close()]);
  });
});
