/*
 * `npm run bench:store`: event-store throughput against plain-Postgres ceilings measured in the same run,
 * and the worker's memory while it catches up. Prints figures; asserts nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { comparePositions, PostgresEventStore, type ExpectedRevision, type Position } from '../libs/event-store/src/index.js';
import { readModelProjections } from '../libs/read-models/src/index.js';
import { testEvent } from '../test/support/events.js';
import { fmt, freshDatabase, median, printTable, rate, type BenchDatabase } from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4); // per measured phase
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3); // ceiling and appends alternate; medians are reported
const LOAD = { streams: 100, perStream: 1000, perAppend: 100 }; // 100,000 events for the read and worker figures
const TOTAL = LOAD.streams * LOAD.perStream;
const READ_BATCH = 1000;
const WORKER_APP = 'tb-bench-worker'; // application_name of the worker's connections (PGAPPNAME)
const MIGRATION_LOCK = 727_001; // the advisory lock migrate() takes: holding it makes the worker's start observable
const root = fileURLToPath(new URL('../', import.meta.url));

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
  console.log(`  cores ${cpus().length} (${cpus()[0]?.model ?? '?'}), node ${process.version}`);
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

interface WorkerFigures {
  idle: boolean;
  peakMb: number;
  hwmMb: number;
  startupMs: number;
  /** How long it was sampled after it was up (till caught up, ~3 s when idle, less if it left by itself). */
  upMs: number;
  catchUpMs: number | null;
  exitCode: number | null;
  /** Left on its own (exit 0) before the SIGTERM: nothing kept its event loop busy. */
  exitedByItself: boolean;
}

function status(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null; // gone
  }
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** The real worker, from a cold start, against the loaded database; resident memory sampled every 100 ms. */
async function workerMemory(db: BenchDatabase, last: Position, track: (child: ChildProcess | null) => void): Promise<WorkerFigures> {
  await db.pool.query('DELETE FROM projection_checkpoints');
  const names = readModelProjections.map((p) => p.name);
  const lock = new pg.Client({ connectionString: db.url });
  await lock.connect();
  let child: ChildProcess | null = null;
  let sampler: NodeJS.Timeout | undefined;
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const spawned = performance.now();
    child = spawn(process.execPath, ['--import', './scripts/register-ts.mjs', 'apps/worker/src/main.ts'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'warn', EVENTSTORE_URL: '', PGAPPNAME: WORKER_APP },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    track(child);
    const pid = child.pid!;
    let exitCode: number | null = null;
    let exited = false;
    const exit = new Promise<void>((resolve) =>
      child!.once('exit', (code, signal) => {
        exited = true;
        exitCode = code ?? (signal ? 128 : null);
        resolve();
      }),
    );
    let peakMb = 0;
    let sampling = true; // only while it catches up (or idles); not during shutdown
    sampler = setInterval(() => {
      const rss = sampling ? status(pid, 'VmRSS') : null;
      if (rss !== null) peakMb = Math.max(peakMb, rss);
    }, 100);
    const idle = names.length === 0;
    // With nothing registered the worker may simply run out of work and exit 0 once bootstrapped: reported, not fatal.
    const alive = (bootstrapped = false) => {
      if (exited && !(idle && bootstrapped && exitCode === 0)) throw new Error(`worker exited early with code ${exitCode}`);
      return !exited;
    };
    const activity = async (sql: string) =>
      (await db.pool.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2 ${sql}`, [db.name, WORKER_APP])).rows;

    // The worker's migrate() blocks on the lock we hold: it has loaded and reached the database. Let it go on,
    // and it is up once that migration connection has closed (Nest then bootstraps the projection runners).
    let migratePid = 0;
    await until('the worker to reach migrate()', 60_000, async () => {
      alive();
      const rows = await activity(`AND wait_event_type = 'Lock'`);
      migratePid = rows[0]?.pid ?? 0;
      return migratePid !== 0;
    });
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    await until('the worker to finish migrating', 30_000, async () => {
      if (!alive(true)) return true;
      return (await activity(`AND pid = ${Number(migratePid)}`)).length === 0;
    });
    const up = performance.now();

    let catchUpMs: number | null = null;
    if (idle) {
      await Promise.race([exit, sleep(3000)]);
      alive(true);
    } else {
      await until('every projection to catch up', 120_000, async () => {
        alive();
        const { rows } = await db.pool.query<{ name: string; commit_position: string; prepare_position: string }>(
          'SELECT name, commit_position, prepare_position FROM projection_checkpoints WHERE name = ANY($1)',
          [names],
        );
        const passed = rows.filter(
          (r) => comparePositions({ commit: BigInt(r.commit_position), prepare: BigInt(r.prepare_position) }, last) >= 0,
        );
        return passed.length === names.length;
      }, 100);
      catchUpMs = performance.now() - up;
    }
    sampling = false;
    const upMs = performance.now() - up;
    const hwmMb = status(pid, 'VmHWM') ?? peakMb;
    const exitedByItself = exited;
    if (!exited) child.kill('SIGTERM');
    await Promise.race([exit, sleep(15_000)]);
    if (!exited) {
      child.kill('SIGKILL');
      await exit;
      exitCode = null;
    }
    track(null);
    return { idle, peakMb, hwmMb, startupMs: up - spawned, upMs, catchUpMs, exitCode, exitedByItself };
  } finally {
    clearInterval(sampler);
    await lock.end().catch(() => undefined);
  }
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
    let started = performance.now();
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

    console.log(`\nworker: cold start, ${readModelProjections.length} projection(s) registered, ${fmt(TOTAL)} events to catch up on`);
    started = performance.now();
    const w = await workerMemory(db, last!, (child) => (worker = child));
    console.log(
      `  up after ${fmt(w.startupMs)} ms; ` +
        (w.idle ? `no projections registered yet: sampled ${fmt(w.upMs)} ms after it was up` : `caught up in ${fmt(w.catchUpMs! / 1000, 2)} s (${fmt(TOTAL / (w.catchUpMs! / 1000))} ev/s)`) +
        `; peak RSS ${fmt(w.peakMb, 1)} MB (VmHWM ${fmt(w.hwmMb, 1)} MB); ` +
        (w.exitedByItself
          ? `it EXITED BY ITSELF (code ${w.exitCode}) before the SIGTERM: with nothing registered, nothing keeps it running`
          : `exit code after SIGTERM ${w.exitCode}`),
    );

    const c1 = median(writes.ceiling1);
    const a1 = median(writes.append1);
    const c16 = median(writes.ceiling16);
    const a16 = median(writes.append16);
    const cu = median(catchUps);
    const plain = median(plains);
    const ratio = (x: number, y: number) => `${fmt(x / y, 2)}×`;
    const yes = (ok: boolean) => (ok ? 'yes' : 'NO');
    console.log(`\nresults (medians; informational: nothing is asserted)\n`);
    printTable(
      ['figure', 'value', 'ceiling', 'ratio', 'target', 'meets'],
      [
        ['appends/s, 1 writer', fmt(a1), fmt(c1), ratio(a1, c1), '-', '-'],
        ['appends/s, 16 writers', fmt(a16), fmt(c16), ratio(a16, c16), '>= 0.60×', yes(a16 / c16 >= 0.6)],
        ['catch-up reads, events/s', fmt(cu), fmt(plain), ratio(cu, plain), '>= 25,000/s', yes(cu >= 25_000)],
        w.idle
          ? ['no projections registered yet: worker idle RSS, MB', fmt(w.peakMb, 1), '-', '-', '< 200 MB (catching up)', 'n/a']
          : [`worker peak RSS catching up ${fmt(TOTAL)} events, MB`, fmt(w.peakMb, 1), '-', '-', '< 200 MB', yes(w.peakMb < 200)],
      ],
    );
    console.log(
      '\nceilings: single-row INSERT into ceiling(id bigserial, stream_id text, data jsonb) in autocommit through the same pool;' +
        '\n          plain SELECT * FROM events paged by position. Both measured in this run, alternating with the figure.',
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
