import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type pg from 'pg';
import { PG_POOL } from '../../database/src/index.js';
import type { Position } from '../../event-store/src/index.js';
import { ProjectionProgress, ProjectionTimeoutError } from '../../projections/src/index.js';
import { ticketShownRevision, ticketsProjection } from '../../read-models/src/index.js';

const READ_YOUR_WRITES_TIMEOUT_MS = 10_000;

/** What a command's run stood on and wrote, as the wait below needs it. */
export interface DecidedRun {
  /** the position the decision stood on (its own last event when it appended); null: nothing to wait for */
  decidedAt: Position | null;
  decidedRevision: number;
  /** where its last event landed; null when it changed nothing */
  position: Position | null;
  /** the projections its append applied inline */
  inline: string[];
}

/**
 * Read-your-writes, in one place: a command answers once the read models show what it decided on. What the append
 * applied inline (Postgres) is shown already. A command that changed nothing still answers once the read models show
 * what it decided on (another request's write a moment ago, say), so its caller reads what it saw: the ticket's row
 * tells whether it shows that revision, else the checkpoints do.
 */
@Injectable()
export class ReadYourWrites {
  constructor(
    private readonly progress: ProjectionProgress,
    private readonly logger: PinoLogger,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
  ) {
    logger.setContext('ReadYourWrites');
  }

  async waitFor(ticketId: string, { decidedAt, decidedRevision, position, inline }: DecidedRun): Promise<void> {
    if (!decidedAt) return;
    const shown = position ? inline : (await this.rowShows(ticketId, decidedRevision)) ? [ticketsProjection.name] : [];
    try {
      await this.progress.waitFor(decidedAt, READ_YOUR_WRITES_TIMEOUT_MS, shown);
    } catch (error) {
      if (!(error instanceof ProjectionTimeoutError)) throw error;
      // the write is safe in the event log; answering an error now would only invite a duplicate
      this.logger.warn('read models lag behind: answering before they show the write');
    }
  }

  /** Whether the ticket's read-model row shows its stream up to `revision` (false when that cannot be told). */
  private async rowShows(ticketId: string, revision: number): Promise<boolean> {
    try {
      const shown = await ticketShownRevision(this.pool, ticketId);
      return shown !== null && shown >= revision;
    } catch {
      return false;
    }
  }
}
