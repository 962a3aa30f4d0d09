import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { EventStore, RecordedEvent } from '../../event-store/src/index.js';
import { applyOrPark } from './apply-or-park.js';
import { readCheckpoint, writeCheckpointAndCommit } from './checkpoints.js';
import { describeError, parkEvent } from './parked-events.js';
import type { Projection } from './projection.js';
import type { ProjectionProgress } from './projection-progress.js';

export interface ProjectionRunnerOptions {
  pool: pg.Pool;
  store: EventStore;
  projection: Projection;
  progress?: ProjectionProgress;
  log?: { info(msg: string): void; error(obj: unknown, msg: string): void };
  /** How often a standby instance tries to take over the projection. */
  standbyRetryMs?: number;
  /** Wait this long before the first try: lets another process (the API) take the projection first. */
  firstTryDelayMs?: number;
  batchSize?: number;
  /**
   * After a batch short of a full one, wait this long before reading on, so that the next batch gathers what was
   * appended meanwhile: for runners no answer waits on (a projection the appends apply inline, the sagas), a read
   * of the log and a transaction per few events instead of per event.
   */
  settleMs?: number;
  /** After a failure (a lost connection, a database away), the first retry waits this long, doubling up to the cap. */
  retryBackoffMs?: { first: number; max: number };
  /**
   * Park an event the projection cannot apply (bad data, a broken constraint) and go on; default true. Off
   * where every failure must be retried (the sagas: an event's jobs must reach Redis, however long it is away).
   */
  parking?: boolean;
}

/**
 * Keeps one projection up to date. Each batch of events and the checkpoint after it commit in one
 * transaction, so a crash neither skips nor repeats an event. A session advisory lock makes one instance
 * active; the others wait and take over when its connection goes away. A lost connection is retried with
 * backoff from the stored checkpoint; an event that cannot be applied is parked (see parked-events.ts).
 */
export class ProjectionRunner {
  private readonly stopping = new AbortController();
  private loop: Promise<void> | null = null;
  active = false;

  constructor(private readonly options: ProjectionRunnerOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Lets the batch in hand commit, then releases the projection. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { pool, projection, log, standbyRetryMs = 1000, firstTryDelayMs = 0, retryBackoffMs = { first: 100, max: 5000 } } = this.options;
    const signal = this.stopping.signal;
    if (firstTryDelayMs > 0) await sleep(firstTryDelayMs, undefined, { signal }).catch(() => undefined);
    let failures = 0;
    while (!signal.aborted) {
      let client: pg.PoolClient | null = null;
      // ends the session's subscription when its connection is lost, so the lock is taken again at once
      const session = new AbortController();
      const endSession = () => session.abort();
      signal.addEventListener('abort', endSession, { once: true });
      let failed = false;
      let locked = false;
      const sessionStarted = Date.now();
      try {
        client = await pool.connect();
        client.on('error', endSession);
        const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
          `projection:${projection.name}`,
        ]);
        locked = rows[0].locked;
        if (locked) {
          this.active = true;
          this.options.progress?.setActive(projection.name, true);
          log?.info(`projection ${projection.name} active`);
          await this.follow(client, session.signal, () => (failures = 0));
          if (!signal.aborted) throw new Error('the projection lost its connection');
        }
      } catch (error) {
        failed = true;
        // a session that ran a good while before it failed starts the backoff anew
        if (Date.now() - sessionStarted > retryBackoffMs.max) failures = 0;
        if (!signal.aborted) log?.error({ err: error }, `projection ${projection.name} failed; retrying`);
      } finally {
        signal.removeEventListener('abort', endSession);
        client?.off('error', endSession);
        if (this.active) this.options.progress?.setActive(projection.name, false);
        this.active = false;
        // destroying the connection releases the session's advisory lock with it; a standby's try took no lock, and
        // its connection goes back to the pool for the next try, not a new connection to Postgres every second
        client?.release(locked || failed);
      }
      const wait = failed ? Math.min(retryBackoffMs.max, retryBackoffMs.first * 2 ** failures++) : standbyRetryMs;
      await sleep(wait, undefined, { signal }).catch(() => undefined);
    }
  }

  private async follow(client: pg.PoolClient, signal: AbortSignal, onCommitted: () => void): Promise<void> {
    const { store, projection, progress, batchSize = 500, settleMs = 0, log, parking = true } = this.options;
    const from = await readCheckpoint(client, projection.name);
    if (from) progress?.report(projection.name, from);
    const applyBatch = projection.applyBatch
      ? (events: RecordedEvent[]) => projection.applyBatch!(events, client)
      : async (events: RecordedEvent[]) => {
          for (const event of events) await projection.apply(event, client);
        };
    for await (const batch of store.subscribeToAll({ from, signal, batchSize })) {
      const last = batch[batch.length - 1].position;
      // three round trips a batch, whatever the projection does: BEGIN with the savepoint, its work, checkpoint with COMMIT
      if (!parking) await client.query('BEGIN');
      try {
        if (parking) {
          const unapplied = await applyOrPark(client, batch, applyBatch, (event) => projection.apply(event, client), { before: 'BEGIN;', release: false });
          for (const { event, error } of unapplied) {
            await parkEvent(client, projection.name, event, describeError(error));
            log?.error(
              { err: error, eventId: event.id, streamId: event.streamId, revision: event.revision, type: event.type },
              `projection ${projection.name} parked an event it cannot apply`,
            );
          }
        } else {
          await applyBatch(batch);
        }
        await writeCheckpointAndCommit(client, projection.name, last);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      onCommitted();
      progress?.report(projection.name, last);
      if (settleMs > 0 && batch.length < batchSize) await sleep(settleMs, undefined, { signal }).catch(() => undefined);
    }
  }
}
