import type pg from 'pg';
import type { RecordedEvent } from '../../event-store/src/index.js';

/** An event a projection could not apply, set aside so the projection goes on. */
export interface ParkedEvent {
  projection: string;
  eventId: string;
  streamId: string;
  revision: number;
  type: string;
  position: { commit: string; prepare: string };
  error: string;
  parkedAt: string;
}

const MAX_ERROR_LENGTH = 2000;

/** The error's own words (a Postgres message and its detail), never a stack. */
export function describeError(error: unknown): string {
  const { message, detail, code } = (error ?? {}) as { message?: unknown; detail?: unknown; code?: unknown };
  const text = [typeof code === 'string' ? `[${code}]` : '', String(message ?? error), typeof detail === 'string' ? detail : '']
    .filter(Boolean)
    .join(' ');
  return text.slice(0, MAX_ERROR_LENGTH);
}

/** Records (or refreshes) a parked event; runs in the caller's transaction, so it commits with the checkpoint. */
export async function parkEvent(db: pg.ClientBase, projection: string, event: RecordedEvent, error: string): Promise<void> {
  await db.query(
    `INSERT INTO parked_events (projection, event_id, stream_id, revision, type, commit_position, prepare_position, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (projection, event_id) DO UPDATE SET error = EXCLUDED.error, parked_at = now()`,
    [projection, event.id, event.streamId, event.revision, event.type, event.position.commit.toString(), event.position.prepare.toString(), error],
  );
}

export async function countParkedEvents(db: pg.Pool | pg.ClientBase): Promise<number> {
  const { rows } = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM parked_events');
  return rows[0].count;
}

/** Newest first. */
export async function listParkedEvents(db: pg.Pool | pg.ClientBase, limit = 1000): Promise<ParkedEvent[]> {
  const { rows } = await db.query<{
    projection: string;
    event_id: string;
    stream_id: string;
    revision: number;
    type: string;
    commit_position: string;
    prepare_position: string;
    error: string;
    parked_at: Date;
  }>('SELECT * FROM parked_events ORDER BY parked_at DESC, commit_position DESC, prepare_position DESC LIMIT $1', [limit]);
  return rows.map((row) => ({
    projection: row.projection,
    eventId: row.event_id,
    streamId: row.stream_id,
    revision: row.revision,
    type: row.type,
    position: { commit: row.commit_position, prepare: row.prepare_position },
    error: row.error,
    parkedAt: row.parked_at.toISOString(),
  }));
}
