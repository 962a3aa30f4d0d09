import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { comparePositions, PostgresEventStore, type Position } from '../../../event-store/src/index.js';
import { inlineProjection, ProjectionRunner, readCheckpoint } from '../../../projections/src/index.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.js';
import { waitUntil } from '../../../../test/support/wait.js';
import { readModelRows, ticketLives, type PlannedAppend } from '../testing/ticket-lives.js';
import { ticketsProjection } from './tickets.projection.js';

async function caughtUp(db: TestDatabase, last: Position): Promise<void> {
  await waitUntil(
    async () => {
      const checkpoint = await readCheckpoint(db.pool, ticketsProjection.name);
      return checkpoint !== null && comparePositions(checkpoint, last) >= 0;
    },
    { timeoutMs: 30_000, what: 'the tickets runner to pass the last event' },
  );
}

const runnerOf = (db: TestDatabase, store: PostgresEventStore) =>
  new ProjectionRunner({ pool: db.pool, store, projection: ticketsProjection, standbyRetryMs: 50, batchSize: 7 });

describe('the tickets projection inline, in the append’s transaction', () => {
  let inlineDb: TestDatabase;
  let asyncDb: TestDatabase;

  beforeAll(async () => {
    [inlineDb, asyncDb] = await Promise.all([createTestDatabase('inline'), createTestDatabase('inline_async')]);
  });

  afterAll(async () => {
    await Promise.all([inlineDb?.drop(), asyncDb?.drop()]);
  });

  it('gives the read models the async runner alone gives, through an upgrade, a lagging runner and bad data', async () => {
    // tickets filed before the upgrade, and tickets filed after it
    const [early, late] = [ticketLives(8), ticketLives(4)];
    const third = Math.floor(early.length / 3);
    const half = Math.floor(late.length / 2);
    const phases = {
      beforeUpgrade: early.slice(0, third),
      runnerAway: [...early.slice(third, 2 * third), ...late.slice(0, half)],
      runnerBeside: [...early.slice(2 * third), ...late.slice(half)],
    };
    const appends = [...phases.beforeUpgrade, ...phases.runnerAway, ...phases.runnerBeside];

    // only the async runner
    const asyncStore = new PostgresEventStore(asyncDb.pool);
    const asyncRunner = runnerOf(asyncDb, asyncStore);
    asyncRunner.start();
    let last: Position | null = null;
    for (const { stream, events } of appends) ({ position: last } = await asyncStore.append(stream, events, expectedOf(stream, appends, events)));
    await caughtUp(asyncDb, last!);
    await asyncRunner.stop();

    // inline: the first part written before the upgrade (no inline); the next inline while no runner is there to
    // catch up on the first (their tickets' appends are left to it); then, once it has, inline with it beside
    const plain = new PostgresEventStore(inlineDb.pool);
    const inline = new PostgresEventStore(inlineDb.pool, { inline: [inlineProjection(ticketsProjection)] });
    const shown = { runnerAway: [] as boolean[], runnerBeside: [] as boolean[] };
    const appendInline = async ({ stream, events }: PlannedAppend, phase: keyof typeof shown) => {
      const result = await inline.append(stream, events, expectedOf(stream, appends, events));
      const atOnce = result.inline?.includes(ticketsProjection.name) ?? false;
      shown[phase].push(atOnce);
      if (atOnce) {
        // what the append says is shown is there at once, without any runner
        const { rows } = await inlineDb.pool.query('SELECT stream_revision FROM tickets WHERE id = $1', [stream.slice('ticket-'.length)]);
        expect(rows[0]?.stream_revision).toBe(result.nextRevision);
      }
      return result.position;
    };
    for (const { stream, events } of phases.beforeUpgrade) ({ position: last } = await plain.append(stream, events, expectedOf(stream, appends, events)));
    for (const planned of phases.runnerAway) last = await appendInline(planned, 'runnerAway');
    const inlineRunner = runnerOf(inlineDb, inline);
    inlineRunner.start();
    await caughtUp(inlineDb, last!);
    for (const planned of phases.runnerBeside) last = await appendInline(planned, 'runnerBeside');
    await caughtUp(inlineDb, last!);
    await inlineRunner.stop();

    // while the runner was away, the early tickets' appends were left to it and the late ones shown at once
    expect(shown.runnerAway.slice(0, third)).toEqual(Array(third).fill(false));
    expect(shown.runnerAway.slice(third)).toEqual(Array(half).fill(true));
    // once it had caught up, every append was shown at once (but the bad comment's next: its ticket lacks one)
    expect(shown.runnerBeside.filter((atOnce) => !atOnce).length).toBeLessThanOrEqual(1);
    expect(await readModelRows(inlineDb.pool)).toEqual(await readModelRows(asyncDb.pool));
    const { rows } = await inlineDb.pool.query('SELECT count(*)::int AS parked FROM parked_events');
    expect(rows[0].parked).toBe(1);
  }, 120_000);
});

/** The revision each planned append expects: its stream's events so far, minus one. */
function expectedOf(stream: string, appends: PlannedAppend[], events: PlannedAppend['events']): number | 'no_stream' {
  let before = 0;
  for (const planned of appends) {
    if (planned.events === events) break;
    if (planned.stream === stream) before += planned.events.length;
  }
  return before === 0 ? 'no_stream' : before - 1;
}
