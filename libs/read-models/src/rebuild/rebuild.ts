import pg from 'pg';
import { sqlState } from '../../../database/src/connection-errors.js';
import { comparePositions, type EventStore, type Position } from '../../../event-store/src/index.js';
import { applyOrPark, cannotApply, describeError, holdReadModelsForSwitch, parkEvent, readCheckpoint, writeCheckpoint, type Unapplied } from '../../../projections/src/index.js';
import { applyTicketEvents, LIVE_TABLES, ticketsProjection, type TicketTables } from '../tickets/tickets.projection.js';
import { logPages, wholeEvents, type ReadPage, type ReplayedEvent } from './log-pages.js';
import { foldPage } from './page-fold.js';
import { earlierRows, writeFoldedPage } from './page-write.js';

export interface RebuildResult {
  eventsReplayed: number;
  durationMs: number;
  /** Events the replay could not apply: parked (see /admin/sync-failures), as the live projection parks them. */
  parkedEvents: number;
}

export interface RebuildProgress {
  eventsReplayed: number;
}

export interface RebuildOptions {
  /** events read and applied at a time (PAGE) */
  pageSize?: number;
}

export class RebuildInProgressError extends Error {
  constructor() {
    super('a rebuild of the read models is already running');
    this.name = 'RebuildInProgressError';
  }
}

const REBUILD_LOCK = 'rebuild-read-models';
const PAGE = 10_000;
const FRESH: TicketTables = { tickets: 'tickets_rebuild', comments: 'comments_rebuild' };
// a page of a big log may take long; the shared pool's statement limit is for requests
const STATEMENT_TIMEOUT_MS = 10 * 60_000;
// the switch waits this long for the live tables' lock, then lets go, catches up again and tries anew
const SWITCH_LOCK_TIMEOUT_MS = 5_000;
const SWITCH_ATTEMPTS = 10;
// room on each page of the fresh tickets table for the versions later pages write of its rows, next to the old ones
// (an update that finds room there adds no index entries); the live table's own setting is put back after the bulk
const BULK_FILLFACTOR = 60;

interface Replay {
  db: pg.ClientBase;
  read: ReadPage;
  position: Position | null;
  replayed: number;
  unapplied: Unapplied[];
  pageSize: number;
  /** whether the comments' foreign key is on the fresh tables yet (see addForeignKey) */
  keyed: boolean;
}

/**
 * Replays every event into fresh read-model tables and switches them in atomically. Until the switch the live
 * tables keep serving and the live projection keeps them current; at the switch, under a lock that holds the
 * live projection for a moment, the fresh tables take the events the live ones got meanwhile, and the live
 * projection goes on from there. The rebuild works on connections of its own, so it never waits for the shared
 * pool (least of all while it holds the lock that requests queued on that pool wait for). Throws
 * RebuildInProgressError when a rebuild already runs (anywhere).
 */
export async function rebuildReadModels(
  pool: pg.Pool,
  store: EventStore,
  onProgress: (progress: RebuildProgress) => void = () => undefined,
  { pageSize = PAGE }: RebuildOptions = {},
): Promise<RebuildResult> {
  const started = performance.now();
  // two: one holds the rebuild's session (its lock, its transactions), the other reads the log
  const own = new pg.Pool({ ...pool.options, max: 2, statement_timeout: STATEMENT_TIMEOUT_MS, idleTimeoutMillis: 1000 });
  own.on('error', () => undefined);
  own.on('connect', (client) => client.on('error', () => undefined));
  try {
    const db = await own.connect();
    try {
      const { rows } = await db.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [REBUILD_LOCK]);
      if (!rows[0].locked) throw new RebuildInProgressError();
      try {
        await createFreshTables(db);
        const deferred = await deferIndexes(db);
        const replay: Replay = { db, read: logPages(store, own), position: null, replayed: 0, unapplied: [], pageSize, keyed: false };
        await catchUp(replay, onProgress);
        await addForeignKey(replay);
        for (const definition of deferred) await db.query(definition);
        await db.query('ALTER TABLE tickets_rebuild RESET (fillfactor)');
        await switchOver(replay, onProgress);
        onProgress({ eventsReplayed: replay.replayed });
        return { eventsReplayed: replay.replayed, durationMs: Math.round(performance.now() - started), parkedEvents: replay.unapplied.length };
      } finally {
        await db.query('DROP TABLE IF EXISTS comments_rebuild, tickets_rebuild').catch(() => undefined);
        await db.query('SELECT pg_advisory_unlock(hashtext($1))', [REBUILD_LOCK]).catch(() => undefined);
      }
    } finally {
      db.release();
    }
  } finally {
    await own.end();
  }
}

/**
 * The fresh tickets table's indexes that no constraint stands behind, dropped while the bulk of the log goes in
 * and built once at its end (a sort each, instead of an index entry per row version): their definitions.
 * The keys (and the comments' indexes, which the retry's statement reads by) stay throughout.
 */
async function deferIndexes(db: pg.ClientBase): Promise<string[]> {
  const { rows } = await db.query<{ name: string; definition: string }>(
    `SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
     WHERE i.schemaname = current_schema() AND i.tablename = 'tickets_rebuild'
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
  );
  for (const { name } of rows) await db.query(`DROP INDEX ${pg.escapeIdentifier(name)}`);
  return rows.map((row) => row.definition);
}

async function createFreshTables(db: pg.ClientBase): Promise<void> {
  await db.query(`
    DROP TABLE IF EXISTS comments_rebuild, tickets_rebuild;
    CREATE TABLE tickets_rebuild (LIKE tickets INCLUDING ALL) WITH (fillfactor = ${BULK_FILLFACTOR});
    CREATE TABLE comments_rebuild (LIKE comments INCLUDING ALL);
  `);
}

/**
 * The comments' foreign key, as on the live tables. Checked row by row it nearly doubles the cost of writing the
 * comments, so the folded pages go in without it (the fold refuses a comment on no ticket itself) and it is added,
 * checked in one pass, before anything else writes: before the live projection's statements, which must find an
 * event the key refuses refused, and before the switch.
 */
async function addForeignKey(replay: Replay): Promise<void> {
  if (replay.keyed) return;
  await replay.db.query('ALTER TABLE comments_rebuild ADD FOREIGN KEY (ticket_id) REFERENCES tickets_rebuild (id)');
  replay.keyed = true;
}

/**
 * Applies one page to the fresh tables inside the open transaction: folded in memory and written in bulk; a page
 * the fold does not take, or whose bulk write is refused, goes through the live projection's statements instead,
 * which set aside (park) what cannot be applied.
 */
async function applyPage(replay: Replay, page: ReplayedEvent[]): Promise<void> {
  if (!(await applyFolded(replay.db, page))) {
    await addForeignKey(replay);
    const whole = await wholeEvents(replay.db, page);
    const unapplied = await applyOrPark(replay.db, whole, async (events) => void (await applyTicketEvents(events, replay.db, FRESH)));
    replay.unapplied.push(...unapplied);
  }
  replay.position = page[page.length - 1].position;
  replay.replayed += page.length;
}

/** Whether the page went in folded; rolled back to where it started when not. */
async function applyFolded(db: pg.ClientBase, page: ReplayedEvent[]): Promise<boolean> {
  const folded = foldPage(page, await earlierRows(db, FRESH, page));
  if (!folded) return false;
  await db.query('SAVEPOINT fold_page');
  try {
    await writeFoldedPage(db, FRESH, folded);
    await db.query('RELEASE SAVEPOINT fold_page');
    return true;
  } catch (error) {
    if (!cannotApply(error)) throw error;
    await db.query('ROLLBACK TO SAVEPOINT fold_page');
    return false;
  }
}

/**
 * Replays whatever the log holds past the fresh tables' position, page by page, holding no lock: each page is read
 * on the rebuild's other connection while the one before is written.
 */
async function catchUp(replay: Replay, onProgress: (progress: RebuildProgress) => void): Promise<void> {
  let next = replay.read(replay.position, replay.pageSize);
  try {
    for (;;) {
      const page = await next;
      if (page.length === 0) return;
      next = replay.read(page[page.length - 1].position, replay.pageSize);
      // the fresh tables are rebuilt anew after a crash: their pages need not wait for the disk one by one
      await replay.db.query('BEGIN; SET LOCAL synchronous_commit = off');
      try {
        await applyPage(replay, page);
        await replay.db.query('COMMIT');
      } catch (error) {
        await replay.db.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      onProgress({ eventsReplayed: replay.replayed });
    }
  } finally {
    // a read still under way when a page failed: its outcome is of no use
    next.catch(() => undefined);
  }
}

/**
 * Catches the fresh tables up to the live checkpoint under lock and swaps them in. The lock is waited for at
 * most SWITCH_LOCK_TIMEOUT_MS; then the attempt is rolled back, the log caught up again, and the switch retried.
 */
async function switchOver(replay: Replay, onProgress: (progress: RebuildProgress) => void): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const before = { position: replay.position, replayed: replay.replayed, unapplied: replay.unapplied.length };
    try {
      await trySwitch(replay);
      return;
    } catch (error) {
      Object.assign(replay, { position: before.position, replayed: before.replayed });
      replay.unapplied.length = before.unapplied;
      if (sqlState(error) !== '55P03' || attempt >= SWITCH_ATTEMPTS) throw error;
      await catchUp(replay, onProgress);
    }
  }
}

async function trySwitch(replay: Replay): Promise<void> {
  const { db } = replay;
  await db.query('BEGIN');
  try {
    await db.query(`SET LOCAL lock_timeout = ${SWITCH_LOCK_TIMEOUT_MS}`);
    // appends that apply the read models inline finish first, and the next ones wait for the swap
    await holdReadModelsForSwitch(db);
    // reads wait for the swap; the live projection waits here, between two batches
    await db.query(`LOCK TABLE ${LIVE_TABLES.tickets}, ${LIVE_TABLES.comments} IN ACCESS EXCLUSIVE MODE`);
    await db.query('SELECT 1 FROM projection_checkpoints WHERE name = $1 FOR UPDATE', [ticketsProjection.name]);
    const live = await readCheckpoint(db, ticketsProjection.name);
    while (live && (!replay.position || comparePositions(replay.position, live) < 0)) {
      const page = (await replay.read(replay.position, replay.pageSize)).filter((event) => comparePositions(event.position, live) <= 0);
      if (page.length === 0) break;
      await applyPage(replay, page);
    }
    // the fresh tables may be ahead of a lagging live projection: it goes on from where they are
    if (replay.position && (!live || comparePositions(replay.position, live) > 0)) {
      await writeCheckpoint(db, ticketsProjection.name, replay.position);
    }
    // what the live tables had parked is replaced by what the replay parked, up to the same position
    await db.query('DELETE FROM parked_events WHERE projection = $1', [ticketsProjection.name]);
    for (const { event, error } of replay.unapplied) await parkEvent(db, ticketsProjection.name, event, describeError(error));
    await db.query(`
      DROP TABLE ${LIVE_TABLES.comments}, ${LIVE_TABLES.tickets};
      ALTER TABLE tickets_rebuild RENAME TO ${LIVE_TABLES.tickets};
      ALTER TABLE comments_rebuild RENAME TO ${LIVE_TABLES.comments};
    `);
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
