import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { comparePositions, PostgresEventStore, type Position } from '../../../event-store/src/index.js';
import { applyOrPark, inlineProjection, ProjectionRunner, readCheckpoint } from '../../../projections/src/index.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.js';
import { waitUntil } from '../../../../test/support/wait.js';
import { rebuildReadModels } from '../rebuild/rebuild.js';
import { readModelRows, ticketLives, type PlannedAppend } from '../testing/ticket-lives.js';
import { applyTicketEvents, ticketsProjection, type TicketTables } from './tickets.projection.js';

const REPLAY: TicketTables = { tickets: 'tickets_replay', comments: 'comments_replay' };

/** Every event of the log replayed one page at a time into tables of their own: what the read models must equal. */
async function freshReplay(db: TestDatabase, store: PostgresEventStore): Promise<unknown> {
  const client = await db.pool.connect();
  try {
    await client.query(`CREATE TABLE ${REPLAY.tickets} (LIKE tickets INCLUDING ALL); CREATE TABLE ${REPLAY.comments} (LIKE comments INCLUDING ALL)`);
    for (let from: Position | null = null; ; ) {
      const page = await store.readAll(from, 50);
      if (page.length === 0) break;
      await client.query('BEGIN');
      await applyOrPark(client, page, async (events) => void (await applyTicketEvents(events, client, REPLAY)));
      await client.query('COMMIT');
      from = page[page.length - 1].position;
    }
    return await readModelRows(client, REPLAY);
  } finally {
    client.release();
  }
}

describe('an online rebuild while appends apply the read models inline', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('inline_rebuild');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('switches its tables in without losing an inline write, and ends equal to a fresh replay', async () => {
    const store = new PostgresEventStore(db.pool, { inline: [inlineProjection(ticketsProjection)] });
    const runner = new ProjectionRunner({ pool: db.pool, store, projection: ticketsProjection, standbyRetryMs: 50 });
    runner.start();
    const revisions = new Map<string, number>();
    const append = async ({ stream, events }: PlannedAppend) => {
      const before = revisions.get(stream);
      const result = await store.append(stream, events, before === undefined ? 'no_stream' : before);
      revisions.set(stream, result.nextRevision);
      if (result.inline?.includes(ticketsProjection.name)) {
        // read-your-writes without waiting: the row shows the append as soon as it has answered (an event parked
        // instead of applied, the bad comment, leaves the row at the one before)
        const { rows } = await db.pool.query('SELECT stream_revision FROM tickets WHERE id = $1', [stream.slice('ticket-'.length)]);
        expect(rows[0]?.stream_revision).toBeGreaterThanOrEqual(result.nextRevision - events.length + 1);
      }
      return result;
    };
    try {
      for (const planned of ticketLives(40)) await append(planned);

      // appends go on, four writers at once (each on tickets of its own), until two rebuilds are done
      let rebuilding = true;
      const shownDuring: boolean[] = [];
      const writer = async () => {
        while (rebuilding) {
          for (const planned of ticketLives(3)) {
            if (!rebuilding) break;
            const result = await append(planned);
            shownDuring.push(result.inline?.includes(ticketsProjection.name) ?? false);
          }
        }
      };
      const writers = Promise.all([writer(), writer(), writer(), writer()]);
      let first, second;
      try {
        first = await rebuildReadModels(db.pool, store);
        second = await rebuildReadModels(db.pool, store);
      } finally {
        rebuilding = false;
        await writers;
      }
      expect(first.eventsReplayed).toBeGreaterThan(0);
      expect(second.eventsReplayed).toBeGreaterThan(first.eventsReplayed);
      // during a rebuild an append's answer waits for the runner, which carries it into the fresh tables
      expect(shownDuring).toContain(false);

      const last = (await store.readAll(null, 100_000)).at(-1)!.position;
      await waitUntil(
        async () => {
          const checkpoint = await readCheckpoint(db.pool, ticketsProjection.name);
          return checkpoint !== null && comparePositions(checkpoint, last) >= 0;
        },
        { timeoutMs: 30_000, what: 'the runner to pass the last event' },
      );
      expect(await readModelRows(db.pool)).toEqual(await freshReplay(db, store));
    } finally {
      await runner.stop();
    }
  }, 180_000);
});
