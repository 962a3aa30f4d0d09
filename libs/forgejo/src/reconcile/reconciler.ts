import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type pg from 'pg';
import { CONFIG, type Config } from '../../../config/src/index.js';
import { PG_POOL } from '../../../database/src/index.js';
import { TemporaryForgejoError } from '../client/forgejo-errors.js';
import { ReconcilePass, type RepositoryLook } from './reconcile-pass.js';

const LOCK = 'forgejo-reconcile';
const ALL = '*';
const ignore = () => undefined;
/** A link's pass waits this long for the links that come with it (a burst of new tickets: one pass). */
export const AFTER_LINK_DEBOUNCE_MS = 500;

/**
 * Runs a reconcile pass every FORGEJO_RECONCILE_INTERVAL_S and soon after a link (for that repository), one at a
 * time in this process and, by a session advisory lock on a connection of its own, one at a time across instances:
 * an instance that finds the lock taken skips its pass. Forgejo down or the database away: the pass is skipped and
 * logged, its progress unchanged, and the next one tries again.
 */
@Injectable()
export class Reconciler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private running: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private readonly pending = new Set<string>();
  private stopped = false;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    private readonly pass: ReconcilePass,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('ForgejoReconcile');
  }

  private get intervalMs(): number {
    return this.config.forgejoReconcileIntervalS * 1000;
  }

  onApplicationBootstrap(): void {
    if (this.intervalMs > 0) this.schedule();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
    await this.running;
  }

  /** A pass soon for this repository (its lower-cased owner/name; null: every one); nothing when reconcile is off. */
  soon(key: string | null): void {
    if (this.intervalMs === 0 || this.stopped) return;
    this.pending.add(key ?? ALL);
    this.debounce ??= setTimeout(() => {
      this.debounce = null;
      const keys = new Set(this.pending);
      this.pending.clear();
      void this.runOnce(keys.has(ALL) ? undefined : keys);
    }, AFTER_LINK_DEBOUNCE_MS);
  }

  /** One pass now (after the one in hand): every repository, or those given. Null when it did not run. */
  runOnce(only?: Set<string>): Promise<RepositoryLook[] | null> {
    const next = this.running.then(() => this.locked(only));
    this.running = next.catch(() => undefined);
    return next;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.runOnce().finally(() => this.schedule()), this.intervalMs);
  }

  private async locked(only?: Set<string>): Promise<RepositoryLook[] | null> {
    if (this.stopped) return null;
    let client: pg.PoolClient | null = null;
    let locked = false;
    try {
      client = await this.pool.connect();
      // a lost connection must not crash the process: the pass's own queries fail and it is retried next time
      client.on('error', ignore);
      locked = (await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [LOCK])).rows[0].locked;
      if (!locked) return null;
      const looks = await this.pass.run(only);
      const applied = looks.reduce((sum, look) => sum + look.applied, 0);
      if (applied > 0) this.logger.info({ repositories: looks.length, applied }, 'reconcile pass applied missed changes');
      return looks;
    } catch (error) {
      if (error instanceof TemporaryForgejoError) this.logger.warn({ reason: error.message }, 'Forgejo does not answer: reconcile pass skipped');
      else this.logger.error({ err: error }, 'reconcile pass failed; the next one tries again');
      return null;
    } finally {
      // a connection whose unlock failed is destroyed, which releases its lock with it
      const unlocked = !locked || (await client!.query('SELECT pg_advisory_unlock(hashtext($1))', [LOCK]).then(() => true, () => false));
      client?.off('error', ignore);
      client?.release(unlocked ? undefined : true);
    }
  }
}
