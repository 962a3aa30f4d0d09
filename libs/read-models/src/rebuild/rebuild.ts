import type pg from 'pg';
import { comparePositions, type EventStore, type Position, type RecordedEvent } from '../../../event-store/src/index.js';
import { readCheckpoint, writeCheckpoint } from '../../../projections/src/index.js';
import { applyTicketEvents, LIVE_TABLES, ticketsProjection, type TicketTables } from '../tickets/tickets.projection.js';

export interface RebuildResult {
  eventsReplayed: number;
  durationMs: number;
}

export interface RebuildProgress {
  eventsReplayed: number;
}

export class RebuildInProgressError extends Error {
  constructor() {
    super('a rebuild of the read models is already running');
    this.name = 'RebuildInProgressError';
  }
}

const REBUILD_LOCK = 'rebuild-read-models';
const PAGE = 5000;
const FRESH: TicketTables = { tickets: 'tickets_rebuild', comments: 'comments_rebuild' };

/**
 * Replays every event into fresh read-model tables and switches them in atomically. Until the switch the live
 * tables keep serving and the live projection keeps them current; at the switch, under a lock that holds the
 * live projection for a moment, the fresh tables take the events the live ones got meanwhile, and the live
 * projection goes on from there. Throws RebuildInProgressError when a rebuild already runs (anywhere).
 */
export async function rebuildReadModels(
  pool: pg.Pool,
  store: EventStore,
  onProgress: (progress: RebuildProgress) => void = () => undefined,
): Promise<RebuildResult> {
  const started = performance.now();
  const db = await pool.connect();
  try {
    const { rows } = await db.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [REBUILD_LOCK]);
    if (!rows[0].locked) throw new RebuildInProgressError();
    try {
      await createFreshTables(db);
      let replayed = 0;
      let position: Position | null = null;
      for (;;) {
        const page = await store.readAll(position, PAGE);
        if (page.length === 0) break;
        await applyTicketEvents(page, db, FRESH);
        position = page[page.length - 1].position;
        replayed += page.length;
        onProgress({ eventsReplayed: replayed });
      }
      replayed += await switchOver(db, store, position);
      onProgress({ eventsReplayed: replayed });
      return { eventsReplayed: replayed, durationMs: Math.round(performance.now() - started) };
    } finally {
      await db.query('DROP TABLE IF EXISTS comments_rebuild, tickets_rebuild').catch(() => undefined);
      await db.query('SELECT pg_advisory_unlock(hashtext($1))', [REBUILD_LOCK]).catch(() => undefined);
    }
  } finally {
    db.release();
  }
}

async function createFreshTables(db: pg.ClientBase): Promise<void> {
  await db.query(`
    DROP TABLE IF EXISTS comments_rebuild, tickets_rebuild;
    CREATE TABLE tickets_rebuild (LIKE tickets INCLUDING ALL);
    CREATE TABLE comments_rebuild (LIKE comments INCLUDING ALL);
  `);
}

/** Catches the fresh tables up to the live checkpoint under lock, swaps them in, and returns how many more events that took. */
async function switchOver(db: pg.ClientBase, store: EventStore, replayedTo: Position | null): Promise<number> {
  await db.query('BEGIN');
  try {
    // reads wait for the swap; the live projection waits here, between two batches
    await db.query(`LOCK TABLE ${LIVE_TABLES.tickets}, ${LIVE_TABLES.comments} IN ACCESS EXCLUSIVE MODE`);
    await db.query('SELECT 1 FROM projection_checkpoints WHERE name = $1 FOR UPDATE', [ticketsProjection.name]);
    const live = await readCheckpoint(db, ticketsProjection.name);
    let caughtUp = 0;
    let position = replayedTo;
    while (live && (!position || comparePositions(position, live) < 0)) {
      const page = (await store.readAll(position, PAGE)).filter((event: RecordedEvent) => comparePositions(event.position, live) <= 0);
      if (page.length === 0) break;
      await applyTicketEvents(page, db, FRESH);
      position = page[page.length - 1].position;
      caughtUp += page.length;
    }
    // the fresh tables may be ahead of a lagging live projection: it goes on from where they are
    if (position && (!live || comparePositions(position, live) > 0)) await writeCheckpoint(db, ticketsProjection.name, position);
    await db.query(`
      ALTER TABLE comments_rebuild ADD FOREIGN KEY (ticket_id) REFERENCES tickets_rebuild (id);
      DROP TABLE ${LIVE_TABLES.comments}, ${LIVE_TABLES.tickets};
      ALTER TABLE tickets_rebuild RENAME TO ${LIVE_TABLES.tickets};
      ALTER TABLE comments_rebuild RENAME TO ${LIVE_TABLES.comments};
    `);
    await db.query('COMMIT');
    return caughtUp;
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
