import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createPool, ensureDatabase, migrate } from '../libs/database/src/index.js';

const SERVER = process.env.BENCH_DATABASE_SERVER ?? 'postgresql://postgres@127.0.0.1:5432';

export interface BenchDatabase {
  name: string;
  url: string;
  pool: pg.Pool;
  /** Ends the pool and drops the database; safe to call twice. */
  drop(): Promise<void>;
}

/** A fresh, migrated database of the bench's own (`tb_bench_<random>`), with a pool like the apps use. */
export async function freshDatabase(): Promise<BenchDatabase> {
  const name = `tb_bench_${randomBytes(5).toString('hex')}`;
  const url = `${SERVER}/${name}`;
  let pool: pg.Pool | undefined;
  let dropped: Promise<void> | null = null;
  const drop = () =>
    (dropped ??= (async () => {
      await pool?.end().catch(() => undefined);
      const admin = new pg.Client({ connectionString: `${SERVER}/postgres` });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    })());
  try {
    await ensureDatabase(url);
    await migrate(url);
    pool = createPool(url);
  } catch (error) {
    await drop().catch(() => undefined);
    throw error;
  }
  return { name, url, pool: pool!, drop };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs `writers` loops of `op` until `seconds` pass; operations completed per second of wall time. */
export async function rate(writers: number, seconds: number, op: (writer: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      while (performance.now() < deadline) {
        await op(writer);
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

export function printTable(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** CPU time (user + system) a process has used so far, in ms. */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/**
 * CPU time so far of every process on the machine by that name (`postgres`, `redis-server`), in ms; one that exits
 * meanwhile takes its share along. `titled`: only those whose title holds it (a Postgres backend's names its database).
 */
export function cpuMsOf(command: string, titled?: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== command) continue;
      if (titled === undefined || readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(titled)) total += cpuMs(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/**
 * The machine's CPU time so far, busy and in all, in ms summed over its cores (/proc/stat): what every process
 * took, those that came and went included (a Postgres backend of a connection opened and closed meanwhile).
 */
export function machineCpuMs(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((sum, n) => sum + n, 0);
  const idle = fields[3] + fields[4] + fields[7]; // idle, iowait, steal (the hypervisor's, not this machine's work)
  return { busy: ((total - idle) * 1000) / 100, total: (total * 1000) / 100 };
}

/** A process's resident memory now (VmRSS) or its high-water mark (VmHWM), in MB; null once it is gone. */
export function memoryMb(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Runs `work` over 0..n-1, at most `concurrency` at a time. */
export async function inPool(n: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await work(next++);
  }));
}

/** How many projections' checkpoints are short of the last recorded event: 0 once the worker has caught up. */
export async function projectionsBehind(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ behind: string }>(
    `SELECT count(*) AS behind FROM projection_checkpoints c
     WHERE (c.commit_position::text::xid8, c.prepare_position)
         < (SELECT transaction_id, position FROM events ORDER BY transaction_id DESC, position DESC LIMIT 1)`,
  );
  return Number(rows[0].behind);
}

/** `length` Cyrillic characters (2 bytes each in UTF-8), different for each `seed`, so nothing compresses them away. */
export function nonAsciiText(length: number, seed: number): string {
  let state = (seed + 1) * 2654435761;
  const units = new Uint16Array(length);
  for (let k = 0; k < length; k++) {
    state = (state * 1103515245 + 12345) >>> 0;
    units[k] = 0x0410 + ((state >>> 16) % 64);
  }
  return new TextDecoder('utf-16le').decode(units);
}

/**
 * A private copy of dist/ (with package.json and links to node_modules and the built web app) for a bench's
 * child processes: another `npm run build` empties dist/ while it rebuilds, and must not pull files from under a
 * running bench. `root` is the directory to run from; `remove` deletes the copy.
 */
export async function snapshotOfBuild(): Promise<{ root: string; remove(): Promise<void> }> {
  const repo = fileURLToPath(new URL('../', import.meta.url));
  const root = await mkdtemp(join(tmpdir(), 'tb-bench-build-'));
  await cp(join(repo, 'dist'), join(root, 'dist'), { recursive: true });
  await cp(join(repo, 'package.json'), join(root, 'package.json'));
  await symlink(join(repo, 'node_modules'), join(root, 'node_modules'));
  if (existsSync(join(repo, 'apps/web/dist'))) {
    await mkdir(join(root, 'apps/web'), { recursive: true });
    await symlink(join(repo, 'apps/web/dist'), join(root, 'apps/web/dist'));
  }
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}
