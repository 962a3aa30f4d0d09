import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { EventStore } from '../../event-store/src/index.js';
import { readCheckpoint, writeCheckpoint } from './checkpoints.js';
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
}

/**
 * Keeps one projection up to date. Each batch of events and the checkpoint after it commit in one
 * transaction, so a crash neither skips nor repeats an event. A session advisory lock makes one instance
 * active; the others wait and take over when its connection goes away.
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
    const { pool, projection, log, standbyRetryMs = 1000, firstTryDelayMs = 0 } = this.options;
    const signal = this.stopping.signal;
    if (firstTryDelayMs > 0) await sleep(firstTryDelayMs, undefined, { signal }).catch(() => undefined);
    while (!signal.aborted) {
      let client: pg.PoolClient | null = null;
      try {
        client = await pool.connect();
        const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
          `projection:${projection.name}`,
        ]);
        if (rows[0].locked) {
          this.active = true;
          this.options.progress?.setActive(projection.name, true);
          log?.info(`projection ${projection.name} active`);
          await this.follow(client, signal);
        }
      } catch (error) {
        log?.error({ err: error }, `projection ${projection.name} failed; retrying`);
      } finally {
        if (this.active) this.options.progress?.setActive(projection.name, false);
        this.active = false;
        // destroying the connection releases the session's advisory lock with it
        client?.release(true);
      }
      await sleep(standbyRetryMs, undefined, { signal }).catch(() => undefined);
    }
  }

  private async follow(client: pg.PoolClient, signal: AbortSignal): Promise<void> {
    const { store, projection, progress, batchSize } = this.options;
    const from = await readCheckpoint(client, projection.name);
    if (from) progress?.report(projection.name, from);
    for await (const batch of store.subscribeToAll({ from, signal, batchSize })) {
      const last = batch[batch.length - 1].position;
      await client.query('BEGIN');
      try {
        if (projection.applyBatch) await projection.applyBatch(batch, client);
        else for (const event of batch) await projection.apply(event, client);
        await writeCheckpoint(client, projection.name, last);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      progress?.report(projection.name, last);
    }
  }
}
