import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { comparePositions, type Position } from '../../event-store/src/index.js';

export class ProjectionTimeoutError extends Error {
  constructor(readonly waitedMs: number) {
    super(`Read models did not catch up within ${waitedMs} ms`);
    this.name = 'ProjectionTimeoutError';
  }
}

interface Waiter {
  position: Position;
  shown: readonly string[];
  resolve: () => void;
}

/**
 * Read-your-writes: resolves once every named projection has passed a position. A runner active in this
 * process reports each batch and settles waiters at once; for a projection running in another process, one
 * shared poller reads the stored checkpoints while anyone waits.
 */
export class ProjectionProgress {
  private readonly reported = new Map<string, Position>();
  private readonly activeHere = new Set<string>();
  private readonly waiters = new Set<Waiter>();
  private polling = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly names: string[],
    private readonly pollIntervalMs = 10,
  ) {}

  /** A runner in this process took (true) or let go of (false) a projection. */
  setActive(name: string, active: boolean): void {
    if (active) this.activeHere.add(name);
    else this.activeHere.delete(name);
    if (!active && this.waiters.size > 0) this.startPolling();
  }

  report(name: string, position: Position): void {
    const known = this.reported.get(name);
    if (known && comparePositions(known, position) >= 0) return;
    this.reported.set(name, position);
    for (const waiter of this.waiters) if (this.passed(waiter.position, waiter.shown)) waiter.resolve();
  }

  /** `shown`: projections known to show the position already (applied inline, in the append's transaction). */
  async waitFor(position: Position, timeoutMs = 5000, shown: readonly string[] = []): Promise<void> {
    if (this.passed(position, shown)) return;
    let timer: NodeJS.Timeout | undefined;
    let waiter: Waiter | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        waiter = { position, shown, resolve };
        this.waiters.add(waiter);
        timer = setTimeout(() => reject(new ProjectionTimeoutError(timeoutMs)), timeoutMs);
        this.startPolling();
      });
    } finally {
      clearTimeout(timer);
      if (waiter) this.waiters.delete(waiter);
    }
  }

  private passed(position: Position, shown: readonly string[]): boolean {
    return this.names.every((name) => {
      if (shown.includes(name)) return true;
      const checkpoint = this.reported.get(name);
      return !!checkpoint && comparePositions(checkpoint, position) >= 0;
    });
  }

  /** Reads the stored checkpoints of projections not running here, while anyone waits. */
  private startPolling(): void {
    if (this.polling) return;
    this.polling = true;
    void (async () => {
      try {
        while (this.waiters.size > 0) {
          const remote = this.names.filter((name) => !this.activeHere.has(name));
          if (remote.length === 0) break;
          try {
            const { rows } = await this.pool.query<{ name: string; commit_position: string; prepare_position: string }>(
              'SELECT name, commit_position, prepare_position FROM projection_checkpoints WHERE name = ANY($1)',
              [remote],
            );
            for (const row of rows) this.report(row.name, { commit: BigInt(row.commit_position), prepare: BigInt(row.prepare_position) });
          } catch {
            // the pool is busy or closing: the waiters' own deadlines bound this
          }
          if (this.waiters.size > 0) await sleep(this.pollIntervalMs);
        }
      } finally {
        this.polling = false;
      }
    })();
  }
}
