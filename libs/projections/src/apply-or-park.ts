import type pg from 'pg';
import { isConnectionError, sqlState } from '../../database/src/connection-errors.js';
import type { RecordedEvent } from '../../event-store/src/index.js';

export interface Unapplied {
  event: RecordedEvent;
  error: unknown;
}

/**
 * Whether an error means this event cannot be applied (park it and go on) rather than that the database was
 * away or busy (retry the batch later): bad data (SQLSTATE class 22), a broken constraint (23), or an error the
 * projection's own code threw. Every other Postgres error (lost session, timeout, lock, deadlock) is retried.
 */
export function cannotApply(error: unknown): boolean {
  if (isConnectionError(error)) return false;
  const state = sqlState(error);
  if (state === null) return true;
  return state.startsWith('22') || state.startsWith('23');
}

/**
 * Applies a batch inside the caller's open transaction. When the batch fails on an event that cannot be
 * applied, it is applied again one event at a time, each under a savepoint, and the failing ones are returned
 * instead of applied. Any other error is thrown: the caller rolls back and retries the batch.
 */
export async function applyOrPark(
  db: pg.ClientBase,
  events: RecordedEvent[],
  applyBatch: (events: RecordedEvent[]) => Promise<void>,
  applyOne: (event: RecordedEvent) => Promise<void> = (event) => applyBatch([event]),
  { before = '', release = true }: { before?: string; release?: boolean } = {},
): Promise<Unapplied[]> {
  // one round trip: `before` (constant SQL, no parameters) and the savepoint go as one simple query; a caller that
  // applies once per transaction may leave the savepoint to the commit (release: false), saving a statement
  await db.query(`${before}SAVEPOINT apply_batch`);
  try {
    await applyBatch(events);
    if (release) await db.query('RELEASE SAVEPOINT apply_batch');
    return [];
  } catch (error) {
    if (!cannotApply(error)) throw error;
    await db.query('ROLLBACK TO SAVEPOINT apply_batch');
  }
  const unapplied: Unapplied[] = [];
  for (const event of events) {
    await db.query('SAVEPOINT apply_event');
    try {
      await applyOne(event);
      await db.query('RELEASE SAVEPOINT apply_event');
    } catch (error) {
      if (!cannotApply(error)) throw error;
      await db.query('ROLLBACK TO SAVEPOINT apply_event');
      unapplied.push({ event, error });
    }
  }
  return unapplied;
}
