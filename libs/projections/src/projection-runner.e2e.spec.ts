import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.js';
import { testEvent } from '../../event-store/src/testing/test-event.js';
import { waitUntil } from '../../../test/support/wait.js';
import { COUNTING_SCHEMA, countingProjection } from '../../../test/fixtures/counting-projection.js';
import { createPool } from '../../database/src/index.js';
import { comparePositions, PostgresEventStore, type Position } from '../../event-store/src/index.js';
import { ProjectionProgress, ProjectionRunner, ProjectionTimeoutError, readCheckpoint } from './index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function startChild(databaseUrl: string): ChildProcess {
  return spawn(
    process.execPath,
    ['--import', './scripts/register-ts.mjs', 'test/fixtures/run-counting-projection.ts'],
    { cwd: root, env: { ...process.env, DATABASE_URL: databaseUrl, APPLY_DELAY_MS: '2', BATCH_SIZE: '25' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
}

async function totals(db: TestDatabase): Promise<Record<string, { events: number; total: number }>> {
  const { rows } = await db.pool.query('SELECT stream_id, events, total FROM stream_totals ORDER BY stream_id');
  return Object.fromEntries(rows.map((r) => [r.stream_id, { events: r.events, total: Number(r.total) }]));
}

async function foldAll(store: PostgresEventStore): Promise<{ model: Record<string, { events: number; total: number }>; last: Position | null }> {
  const model: Record<string, { events: number; total: number }> = {};
  let last: Position | null = null;
  for (;;) {
    const page = await store.readAll(last, 1000);
    if (page.length === 0) return { model, last };
    for (const event of page) {
      const entry = (model[event.streamId] ??= { events: 0, total: 0 });
      entry.events += 1;
      entry.total += Number(event.data.n ?? 0);
    }
    last = page[page.length - 1].position;
  }
}

describe('Projection runner', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  beforeAll(async () => {
    db = await createTestDatabase('projections');
    store = new PostgresEventStore(db.pool);
    await db.pool.query(COUNTING_SCHEMA);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('after a SIGKILL mid-stream and a restart, its read model equals a fold over all events', async () => {
    const streams = Array.from({ length: 10 }, () => `crash-${randomUUID()}`);
    const appendSome = async (rounds: number) => {
      for (let round = 0; round < rounds; round++) {
        await Promise.all(streams.map((s, i) => store.append(s, [testEvent('Counted', { n: round * 10 + i })], 'stream_exists')));
      }
    };
    await Promise.all(streams.map((s) => store.append(s, [testEvent('Opened')], 'no_stream')));
    await appendSome(40);
    let child = startChild(db.url);
    const writing = appendSome(40);
    // kill it once it has committed some batches but is far from done
    await waitUntil(async () => (await readCheckpoint(db.pool, 'counting')) !== null, { what: 'a first checkpoint' });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const { rows } = await db.pool.query('SELECT coalesce(sum(events), 0)::int AS applied FROM stream_totals');
    expect(rows[0].applied).toBeLessThan(810);
    await writing;

    child = startChild(db.url);
    try {
      const { model, last } = await foldAll(store);
      await waitUntil(async () => {
        const checkpoint = await readCheckpoint(db.pool, 'counting');
        return checkpoint && comparePositions(checkpoint, last!) >= 0;
      }, { timeoutMs: 60000, what: 'the restarted projection to catch up' });
      expect(await totals(db)).toEqual(model);
      expect(Object.values(model).reduce((sum, s) => sum + s.events, 0)).toBe(810);
    } finally {
      child.kill('SIGKILL');
    }
  }, 120000);

  it('runs one active instance; a standby takes over when the active one stops', async () => {
    await db.pool.query('DELETE FROM stream_totals; DELETE FROM projection_checkpoints');
    const first = new ProjectionRunner({ pool: db.pool, store, projection: countingProjection(), standbyRetryMs: 50 });
    // the standby on a pool of its own, to count the connections its tries open
    const standbyPool = createPool(db.url, 2);
    let connections = 0;
    let tries = 0;
    standbyPool.on('connect', () => connections++);
    standbyPool.on('acquire', () => tries++);
    const second = new ProjectionRunner({ pool: standbyPool, store, projection: countingProjection(), standbyRetryMs: 50 });
    first.start();
    await waitUntil(() => first.active, { what: 'first runner active' });
    second.start();
    // four tries at the lock, each a chance to (wrongly) take it
    await waitUntil(() => tries >= 4, { what: 'the standby to try four times' });
    expect(second.active).toBe(false);
    // each try asks on the connection of the one before: a standby does not open a connection a second
    expect(connections).toBe(1);
    await first.stop();
    await waitUntil(() => second.active, { what: 'standby takes over' });
    const stream = `takeover-${randomUUID()}`;
    await store.append(stream, [testEvent('Counted', { n: 5 })], 'no_stream');
    await waitUntil(async () => (await totals(db))[stream], { what: 'event applied by the standby' });
    await second.stop();
    await standbyPool.end();
    const { model } = await foldAll(store);
    expect(await totals(db)).toEqual(model);
  });

  it('after its session is cut, takes the projection again and goes on from its checkpoint', async () => {
    await db.pool.query('DELETE FROM stream_totals; DELETE FROM projection_checkpoints');
    const runner = new ProjectionRunner({ pool: db.pool, store, projection: countingProjection(), standbyRetryMs: 50 });
    runner.start();
    try {
      const stream = `cut-${randomUUID()}`;
      await store.append(stream, [testEvent('Counted', { n: 1 })], 'no_stream');
      await waitUntil(async () => (await totals(db))[stream], { what: 'the first event applied' });
      for (let cut = 0; cut < 2; cut++) {
        // the session holding the projection's advisory lock: the runner's dedicated client
        const { rows } = await db.pool.query(
          `SELECT pg_terminate_backend(pid) AS ended FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        );
        expect(rows).toHaveLength(1);
        await store.append(stream, [testEvent('Counted', { n: 10 })], 'stream_exists');
        await waitUntil(async () => (await totals(db))[stream]?.events === 2 + cut, { what: `the event after cut ${cut + 1} applied` });
      }
      expect((await totals(db))[stream]).toEqual({ events: 3, total: 21 });
      expect(runner.active).toBe(true);
    } finally {
      await runner.stop();
    }
  });

  it('waitFor resolves once the projection has passed a position, and gives up after its bound', async () => {
    const progress = new ProjectionProgress(db.pool, ['counting']);
    const runner = new ProjectionRunner({ pool: db.pool, store, projection: countingProjection(), progress, standbyRetryMs: 50 });
    runner.start();
    try {
      const stream = `wait-${randomUUID()}`;
      const { position } = await store.append(stream, [testEvent('Counted', { n: 1 })], 'no_stream');
      await progress.waitFor(position, 5000);
      expect((await totals(db))[stream]).toEqual({ events: 1, total: 1 });
      const never = new ProjectionProgress(db.pool, ['never-runs']);
      await expect(never.waitFor(position, 100)).rejects.toBeInstanceOf(ProjectionTimeoutError);
    } finally {
      await runner.stop();
    }
  });
});
