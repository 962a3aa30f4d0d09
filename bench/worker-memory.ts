import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { APP_NODE_FLAGS } from '../scripts/app-node-flags.js';
import { comparePositions, type Position } from '../libs/event-store/src/index.js';
import { memoryMb, type BenchDatabase } from './support.js';

const root = fileURLToPath(new URL('../', import.meta.url));
// the worker as `npm start` runs it: built by scripts/build.mjs (bench:store builds first)
const WORKER = [...APP_NODE_FLAGS, 'dist/apps/worker/src/main.js'];
const APP_NAME = 'tb-bench-worker'; // application_name of the worker's connections (PGAPPNAME)
const MIGRATION_LOCK = 727_001; // the advisory lock migrate() takes: holding it makes the worker's start observable
const CATCH_UP_LIMIT_MS = 120_000;

export interface WorkerFigures {
  /** No projection registered: the figures are those of a worker with nothing to do. */
  idle: boolean;
  /** Peak resident memory (VmRSS every 100 ms) from spawn until up, and from up until caught up (or idle ~3 s). */
  startupPeakMb: number;
  upPeakMb: number;
  /** The kernel's own high-water mark (VmHWM) just before the SIGTERM, when the process was still there. */
  hwmMb: number | null;
  startupMs: number;
  upMs: number;
  /** Time from up until every projection's checkpoint reached the last event; null when idle or timed out. */
  catchUpMs: number | null;
  timedOut: boolean;
  exitCode: number | null;
  /** Left on its own before the SIGTERM: nothing kept its event loop busy. */
  exitedByItself: boolean;
}


async function until(what: string, timeoutMs: number, check: () => Promise<boolean>, intervalMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await sleep(intervalMs);
  }
  return true;
}

/**
 * The real worker, cold, against a loaded database with no checkpoints: resident memory sampled every 100 ms until
 * every projection in `names` has a checkpoint at or past `last`, then SIGTERM. `track` hears of the child so the
 * caller can kill it on a crash.
 */
export async function workerMemory(
  db: BenchDatabase,
  last: Position,
  names: string[],
  track: (child: ChildProcess | null) => void,
  args: string[] = WORKER,
): Promise<WorkerFigures> {
  await db.pool.query('DELETE FROM projection_checkpoints');
  const idle = names.length === 0;
  const lock = new pg.Client({ connectionString: db.url });
  await lock.connect();
  let sampler: NodeJS.Timeout | undefined;
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const spawned = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'warn', EVENTSTORE_URL: '', PGAPPNAME: APP_NAME },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    track(child);
    const pid = child.pid!;
    let exitCode: number | null = null;
    let exited = false;
    const exit = new Promise<void>((resolve) =>
      child.once('exit', (code, signal) => {
        exited = true;
        exitCode = code ?? (signal ? 128 : null);
        resolve();
      }),
    );
    let phase: 'startup' | 'up' | 'done' = 'startup';
    const peak = { startup: 0, up: 0 };
    sampler = setInterval(() => {
      const rss = phase === 'done' ? null : memoryMb(pid, 'VmRSS');
      if (rss !== null && phase !== 'done') peak[phase] = Math.max(peak[phase], rss);
    }, 100);
    // With nothing registered the worker may run out of work and exit 0 once bootstrapped: reported, not fatal.
    const alive = (bootstrapped = false) => {
      if (exited && !(idle && bootstrapped && exitCode === 0)) throw new Error(`worker exited early with code ${exitCode}`);
      return !exited;
    };
    const activity = async (sql: string) =>
      (await db.pool.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2 ${sql}`, [db.name, APP_NAME]))
        .rows;

    // Its migrate() blocks on the lock we hold: it has loaded its modules and reached the database. Let it go,
    // and it is up once that migration connection has closed (Nest then starts the projection runners).
    let migratePid = 0;
    const reached = await until('migrate()', 60_000, async () => {
      alive();
      migratePid = (await activity(`AND wait_event_type = 'Lock'`))[0]?.pid ?? 0;
      return migratePid !== 0;
    });
    if (!reached) throw new Error('the worker did not reach migrate() within 60 s');
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    await until('the end of migrate()', 30_000, async () => !alive(true) || (await activity(`AND pid = ${Number(migratePid)}`)).length === 0);
    const up = performance.now();
    phase = 'up';

    let catchUpMs: number | null = null;
    let timedOut = false;
    if (idle) {
      await Promise.race([exit, sleep(3000)]);
      alive(true);
    } else {
      const caughtUp = await until('every projection to catch up', CATCH_UP_LIMIT_MS, async () => {
        alive();
        const { rows } = await db.pool.query<{ commit_position: string; prepare_position: string }>(
          'SELECT commit_position, prepare_position FROM projection_checkpoints WHERE name = ANY($1)',
          [names],
        );
        const passed = rows.filter(
          (r) => comparePositions({ commit: BigInt(r.commit_position), prepare: BigInt(r.prepare_position) }, last) >= 0,
        );
        return passed.length === names.length;
      }, 100);
      if (caughtUp) catchUpMs = performance.now() - up;
      else timedOut = true;
    }
    const upMs = performance.now() - up;
    phase = 'done';
    const hwmMb = memoryMb(pid, 'VmHWM');
    const exitedByItself = exited;
    if (!exited) child.kill('SIGTERM');
    await Promise.race([exit, sleep(15_000)]);
    if (!exited) {
      child.kill('SIGKILL');
      await exit;
    }
    track(null);
    return {
      idle,
      startupPeakMb: peak.startup,
      upPeakMb: peak.up,
      hwmMb,
      startupMs: up - spawned,
      upMs,
      catchUpMs,
      timedOut,
      exitCode,
      exitedByItself,
    };
  } finally {
    clearInterval(sampler);
    await lock.end().catch(() => undefined);
  }
}
