import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { comparePositions, type Position } from '../../event-store/src/index.js';
import { readCheckpoint } from './checkpoints.js';

export class ProjectionTimeoutError extends Error {
  constructor(readonly waitedMs: number) {
    super(`Read models did not catch up within ${waitedMs} ms`);
    this.name = 'ProjectionTimeoutError';
  }
}

/**
 * Read-your-writes: resolves once every named projection has passed a position. Runners in this process
 * report at once; a projection running in another process is seen through its stored checkpoint.
 */
export class ProjectionProgress {
  private readonly reported = new Map<string, Position>();
  private readonly changed = new EventEmitter().setMaxListeners(0);

  constructor(
    private readonly pool: pg.Pool,
    private readonly names: string[],
    private readonly pollIntervalMs = 10,
  ) {}

  report(name: string, position: Position): void {
    this.reported.set(name, position);
    this.changed.emit('change');
  }

  async waitFor(position: Position, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let pending = this.names.filter((name) => !this.passed(this.reported.get(name), position));
    while (pending.length > 0) {
      if (Date.now() > deadline) throw new ProjectionTimeoutError(timeoutMs);
      await this.nextChange(Math.min(this.pollIntervalMs, Math.max(1, deadline - Date.now())));
      const stillPending: string[] = [];
      for (const name of pending) {
        if (this.passed(this.reported.get(name), position)) continue;
        const stored = await readCheckpoint(this.pool, name);
        if (stored && (!this.reported.has(name) || comparePositions(stored, this.reported.get(name)!) > 0)) {
          this.reported.set(name, stored);
        }
        if (!this.passed(stored, position)) stillPending.push(name);
      }
      pending = stillPending;
    }
  }

  private passed(checkpoint: Position | null | undefined, position: Position): boolean {
    return !!checkpoint && comparePositions(checkpoint, position) >= 0;
  }

  private async nextChange(ms: number): Promise<void> {
    const wake = new AbortController();
    const onChange = () => wake.abort();
    this.changed.once('change', onChange);
    await sleep(ms, undefined, { signal: wake.signal }).catch(() => undefined);
    this.changed.off('change', onChange);
  }
}
