/*
 * `npm run bench:store`: event-store throughput against plain-Postgres ceilings measured in the same run,
 * and the worker's memory while it catches up. Prints figures; asserts nothing.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import type pg from 'pg';
import { PostgresEventStore, type ExpectedRevision, type Position } from '../libs/event-store/src/index.js';
import { readModelProjections } from '../libs/read-models/src/index.js';
import { testEvent } from '../libs/event-store/src/testing/test-event.js';
import { fmt, freshDatabase, median, printTable, rate, type BenchDatabase } from './support.js';
import { workerMemory } from './worker-memory.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4); // per measured phase
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5); // ceiling and appends alternate; medians are reported
const LOAD = { streams: 100, perStream: 1000, perAppend: 100 }; // 100,000 events for the read and worker figures
const TOTAL = LOAD.streams * LOAD.perStream;
const READ_BATCH = 1000;

const BODY = 'The export to CSV stops at 1,000 rows and the last page is empty; steps to reproduce attached. '.repeat(2);
const benchEvent = (n: number) => testEvent('BenchNoted', { n, title: 'Export truncated', body: BODY });

interface Figures {
  ceiling1: number[];
  append1: number[];
  ceiling16: number[];
  append16: number[];
}

const setting = async (pool: pg.Pool, name: string) => (await pool.query(`SHOW ${name}`)).rows[0][name] as string;

async function context(pool: pg.Pool): Promise<void> {
  console.log('machine');
  console.log(`  cores ${cpus().length} (${cpus()[0]?.model ?? '?'}), node ${process.version}, load average ${loadavg().map((l) => fmt(l, 2)).join(' ')}`);
  console.log(
    `  postgres ${await setting(pool, 'server_version')}, synchronous_commit=${await setting(pool, 'synchronous_commit')}, ` +
      `fsync=${await setting(pool, 'fsync')}, shared_buffers=${await setting(pool, 'shared_buffers')}, pool max ${(pool as unknown as { options: { max: number } }).options.max}`,
  );
}

async function writeRates(db: BenchDatabase, store: PostgresEventStore): Promise<Figures> {
  await db.pool.query('CREATE TABLE ceiling (id bigserial PRIMARY KEY, stream_id text, data jsonb)');
  const run = randomBytes(3).toString('hex');
  const ceiling = (writers: number, seconds = SECONDS) => {
    const streams = Array.from({ length: writers }, (_, w) => `ceiling-${run}-${w}`);
    let n = 0;
    return rate(writers, seconds, (w) => {
      const { type, data, metadata } = benchEvent(n++); // same payload, and the same work to make it, as an append
      return db.pool.query('INSERT INTO ceiling (stream_id, data) VALUES ($1, $2)', [streams[w], JSON.stringify({ type, data, metadata })]);
    });
  };
  let phase = 0;
  const appends = (writers: number, seconds = SECONDS) => {
    const streams = Array.from({ length: writers }, (_, w) => `bench-${run}-${phase}-${w}`);
    const expected: ExpectedRevision[] = streams.map(() => 'no_stream');
    phase++;
    let n = 0;
    return rate(writers, seconds, async (w) => {
      expected[w] = (await store.append(streams[w], [benchEvent(n++)], expected[w])).nextRevision;
    });
  };

  // warm-up (not counted): opens the pool's connections and warms both tables
  await ceiling(16, 1);
  await appends(16, 1);

  const figures: Figures = { ceiling1: [], append1: [], ceiling16: [], append16: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    // alternate which goes first so neither always follows the other's WAL and checkpoint debris
    const order = round % 2 ? (['ceiling', 'append'] as const) : (['append', 'ceiling'] as const);
    for (const writers of [1, 16] as const) {
      for (const kind of order) {
        const value = kind === 'ceiling' ? await ceiling(writers) : await appends(writers);
        figures[`${kind}${writers}`].push(value);
      }
    }
    console.log(
      `  round ${round}/${ROUNDS}: 1 writer: insert ${fmt(figures.ceiling1[round - 1])}/s, append ${fmt(figures.append1[round - 1])}/s; ` +
        `16 writers: insert ${fmt(figures.ceiling16[round - 1])}/s, append ${fmt(figures.append16[round - 1])}/s ` +
        `(${fmt(figures.append16[round - 1] / figures.ceiling16[round - 1], 2)}×)`,
    );
  }
  return figures;
}

async function load(store: PostgresEventStore): Promise<void> {
  const queue = Array.from({ length: LOAD.streams }, (_, s) => `load-${s}`);
  let n = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let stream = queue.shift(); stream; stream = queue.shift()) {
        let expected: ExpectedRevision = 'no_stream';
        for (let i = 0; i < LOAD.perStream; i += LOAD.perAppend) {
          const events = Array.from({ length: LOAD.perAppend }, () => benchEvent(n++));
          expected = (await store.append(stream, events, expected)).nextRevision;
        }
      }
    }),
  );
}

/** Every event through subscribeToAll from the start: events per second, and the last position. */
async function catchUp(store: PostgresEventStore): Promise<{ rate: number; last: Position }> {
  const stop = AbortSignal.timeout(120_000);
  const started = performance.now();
  let seen = 0;
  let last: Position | null = null;
  for await (const batch of store.subscribeToAll({ from: null, signal: stop, batchSize: READ_BATCH })) {
    seen += batch.length;
    last = batch[batch.length - 1].position;
    if (seen >= TOTAL) break;
  }
  if (seen < TOTAL || !last) throw new Error(`catch-up saw ${seen} of ${TOTAL} events within 120 s`);
  return { rate: seen / ((performance.now() - started) / 1000), last };
}

/** The reference: plain keyset paging over the same table, same pool, same page size. */
async function plainRead(pool: pg.Pool): Promise<number> {
  const started = performance.now();
  let seen = 0;
  let after = '0';
  for (;;) {
    const { rows } = await pool.query('SELECT * FROM events WHERE position > $1 ORDER BY position LIMIT $2', [after, READ_BATCH]);
    if (rows.length === 0) break;
    seen += rows.length;
    after = rows[rows.length - 1].position;
  }
  if (seen !== TOTAL) throw new Error(`plain read saw ${seen} of ${TOTAL} events`);
  return seen / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const begun = performance.now();
  const db = await freshDatabase();
  let worker: ChildProcess | null = null;
  const cleanup = async () => {
    worker?.kill('SIGKILL');
    await db.drop();
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  try {
    const store = new PostgresEventStore(db.pool);
    console.log(`bench database ${db.name}`);
    await context(db.pool);

    console.log(`\nwrites: single-row INSERT (ceiling) vs append of 1 event at its exact revision, ${SECONDS} s per phase, ${ROUNDS} rounds`);
    const writes = await writeRates(db, store);

    console.log(`\nloading ${fmt(TOTAL)} events (${LOAD.streams} streams × ${LOAD.perStream}, ${LOAD.perAppend} per append)`);
    await db.pool.query('TRUNCATE events, ceiling');
    const started = performance.now();
    await load(store);
    console.log(`  loaded in ${fmt((performance.now() - started) / 1000, 1)} s; then VACUUM (ANALYZE) events, as autovacuum would (autovacuum=${await setting(db.pool, 'autovacuum')} here)`);
    await db.pool.query('VACUUM (ANALYZE) events');

    console.log(`\nreads: subscribeToAll from the start vs plain SELECT paging by position, ${READ_BATCH} a page`);
    const catchUps: number[] = [];
    const plains: number[] = [];
    let last: Position | null = null;
    for (let round = 1; round <= 3; round++) {
      const result = await catchUp(store);
      catchUps.push(result.rate);
      last = result.last;
      plains.push(await plainRead(db.pool));
      console.log(`  round ${round}/3: subscribeToAll ${fmt(catchUps[round - 1])} ev/s, plain SELECT ${fmt(plains[round - 1])} ev/s`);
    }

    const names = readModelProjections.map((p) => p.name);
    console.log(`\nworker: cold start, ${names.length} projection(s) registered${names.length ? ` (${names.join(', ')})` : ''}, ${fmt(TOTAL)} events to catch up on`);
    const w = await workerMemory(db, last!, names, (child) => (worker = child));
    const workerPeak = Math.max(w.startupPeakMb, w.upPeakMb);
    console.log(
      `  up after ${fmt(w.startupMs)} ms (peak RSS ${fmt(w.startupPeakMb, 1)} MB while starting); ` +
        (w.idle
          ? `no projections registered yet: sampled ${fmt(w.upMs)} ms after it was up`
          : w.timedOut
            ? `did NOT catch up within ${fmt(w.upMs / 1000)} s`
            : `caught up in ${fmt(w.catchUpMs! / 1000, 2)} s (${fmt(TOTAL / (w.catchUpMs! / 1000))} ev/s)`) +
        ` (peak RSS ${fmt(w.upPeakMb, 1)} MB); VmHWM ${w.hwmMb === null ? 'n/a (gone)' : `${fmt(w.hwmMb, 1)} MB`}`,
    );
    console.log(
      w.exitedByItself
        ? `  the worker EXITED BY ITSELF (code ${w.exitCode}) before the SIGTERM: with nothing registered, nothing keeps it running`
        : `  exit code after SIGTERM: ${w.exitCode}`,
    );

    const c1 = median(writes.ceiling1);
    const a1 = median(writes.append1);
    const c16 = median(writes.ceiling16);
    const a16 = median(writes.append16);
    const cu = median(catchUps);
    const plain = median(plains);
    // a ratio is the median of the per-round ratios: each round's pair ran back to back, under the same load
    const paired = (xs: number[], ys: number[]) => median(xs.map((x, i) => x / ys[i]));
    const ratio = (r: number) => `${fmt(r, 2)}×`;
    const r1 = paired(writes.append1, writes.ceiling1);
    const r16 = paired(writes.append16, writes.ceiling16);
    const rRead = paired(catchUps, plains);
    const yes = (ok: boolean) => (ok ? 'yes' : 'NO');
    console.log(`\nresults (medians; informational: nothing is asserted)\n`);
    printTable(
      ['figure', 'value', 'ceiling', 'ratio', 'target', 'meets'],
      [
        ['appends/s, 1 writer', fmt(a1), fmt(c1), ratio(r1), '-', '-'],
        ['appends/s, 16 writers', fmt(a16), fmt(c16), ratio(r16), '>= 0.60×', yes(r16 >= 0.6)],
        ['catch-up reads, events/s', fmt(cu), fmt(plain), ratio(rRead), '>= 25,000/s', yes(cu >= 25_000)],
        w.idle
          ? ['no projections registered yet: worker idle RSS, MB', fmt(workerPeak, 1), '-', '-', '< 200 MB (catching up)', 'n/a']
          : [`worker peak RSS catching up ${fmt(TOTAL)} events, MB`, fmt(workerPeak, 1), '-', '-', '< 200 MB', yes(workerPeak < 200 && !w.timedOut)],
        ...(w.idle
          ? []
          : [['worker catch-up, events/s', w.timedOut ? 'timed out' : fmt(TOTAL / (w.catchUpMs! / 1000)), '-', '-', '-', '-']]),
      ],
    );
    console.log(
      [
        '',
        'value and ceiling are medians over the rounds; ratio is the median of the per-round ratios.',
        'ceilings, measured in this run alternating with their figure, through the same pool:',
        '  writes: single-row INSERT into ceiling(id bigserial, stream_id text, data jsonb), autocommit, unnamed statement',
        '          (the store appends with a named, once-planned statement), same payload;',
        `  reads:  plain SELECT * FROM events WHERE position > $1 ORDER BY position LIMIT ${READ_BATCH}.`,
        `load average at the end: ${loadavg().map((l) => fmt(l, 2)).join(' ')} (1/5/15 min) on ${cpus().length} cores; other processes' work skews the figures.`,
      ].join('\n'),
    );
    console.log(`\ntotal ${fmt((performance.now() - begun) / 1000, 1)} s`);
  } finally {
    await cleanup();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
