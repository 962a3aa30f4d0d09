import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Job } from 'bull';
import { PinoLogger } from 'nestjs-pino';
import { CONFIG, type Config } from '../../../config/src/index.js';
import type { RecordedEvent } from '../../../event-store/src/index.js';
import { causedBy, RecordSyncFailure } from '../../../ticket-commands/src/index.js';
import { PermanentForgejoError, TemporaryForgejoError } from '../client/forgejo-errors.js';
import { ForgejoBreaker } from './forgejo-breaker.js';

export type TicketJob = Job<{ ticketId: string; commentId?: string; revision?: number }>;
/** The event a job stands for, once read: what the ticket's history names as the cause of what the job records. */
export type Cause = { event: RecordedEvent | null };

/**
 * What becomes of a Forgejo job that fails: a temporary failure is retried (Bull's backoff) for
 * FORGEJO_RETRY_FOR_S, and tells the breaker when Forgejo does not answer at all; then, or on a permanent failure,
 * the failure is recorded in the ticket's history and the job is discarded.
 */
@Injectable()
export class ForgejoJobFailures {
  constructor(
    private readonly breaker: ForgejoBreaker,
    private readonly commands: CommandBus,
    @Inject(CONFIG) private readonly config: Config,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('ForgejoSync');
  }

  /** Runs one attempt; a permanent error, or a temporary one past FORGEJO_RETRY_FOR_S, is recorded and ends the job. */
  async attempt(job: TicketJob, commentId: string | null, work: (cause: Cause) => Promise<string>): Promise<string> {
    const cause: Cause = { event: null };
    try {
      return await work(cause);
    } catch (error) {
      const permanent = error instanceof PermanentForgejoError;
      // tell the breaker: it opens when Forgejo does not answer, or when its calls keep failing, and no job calls it until it is back
      if (error instanceof TemporaryForgejoError && !this.breaker.isOpen && error.retryAfterMs === undefined) await this.breaker.failed();
      const retryingForMs = Date.now() - job.timestamp;
      const giveUp = permanent || retryingForMs >= this.config.forgejoRetryForS * 1000;
      this.logger.warn(
        { jobId: job.id, attempts: job.attemptsMade + 1, retryingForMs, reason: (error as Error).message, willRetry: !giveUp },
        'Forgejo sync failed',
      );
      if (giveUp) {
        // recorded first: if that fails, the job is not discarded and tries again
        await this.record(job, cause, error as Error, job.attemptsMade + 1, commentId);
        await job.discard();
      }
      throw error;
    }
  }

  /**
   * A job that ended failed without an attempt having recorded why (it stalled too often, its worker died
   * repeatedly): recorded now, so that it is listed in /admin/sync-failures. A no-op when already recorded.
   */
  async recordEnded(job: TicketJob, error: Error): Promise<void> {
    try {
      if (!(await job.isFailed())) return; // an attempt that Bull will retry
      await this.record(job, { event: null }, error, job.attemptsMade);
    } catch (recordError) {
      // the sweep finds it owed and starts it again
      this.logger.warn({ jobId: job.id, reason: (recordError as Error).message }, 'could not record a failed Forgejo job');
    }
  }

  private async record(job: TicketJob, cause: Cause, error: Error, attempts: number, commentId = job.data.commentId ?? null): Promise<void> {
    const data = { commentId, reason: error.message, attempts, now: new Date().toISOString() };
    await this.commands.execute(new RecordSyncFailure(job.data.ticketId, data, causedBy(cause.event, job.data.ticketId), { waitForReadModels: false }));
  }
}
