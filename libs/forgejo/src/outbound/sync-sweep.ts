import { getQueueToken } from '@nestjs/bull';
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bull';
import { PinoLogger } from 'nestjs-pino';
import { FORGEJO_QUEUE } from '../../../queues/src/index.js';
import { OwedSyncsQuery } from '../../../read-models/src/index.js';
import { enqueue } from '../../../sagas/src/index.js';
import { TicketReader } from '../../../ticket-commands/src/index.js';
import { owedJobs } from './forgejo-jobs.js';

export const SWEEP_INTERVAL_MS = 60_000;

/**
 * Redis is a trigger, not the record: at start and every minute, every sync the read models show as owed (no
 * link, no recorded failure: the rule the admin's sync-failures list and the saga go by) is enqueued again.
 * Deterministic job ids make this a no-op for jobs Redis still holds and runs; a finished job for work still owed
 * (it failed without its failure being recorded) is replaced, so nothing is silently dropped.
 */
@Injectable()
export class SyncSweep implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly candidates: OwedSyncsQuery,
    private readonly tickets: TicketReader,
    @Inject(getQueueToken(FORGEJO_QUEUE)) private readonly queue: Queue,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('SyncSweep');
  }

  onApplicationBootstrap(): void {
    const tick = () => {
      this.running = this.sweep().then(
        () => undefined,
        (error) => this.logger.error({ err: error }, 'sweep failed'),
      );
    };
    tick();
    this.timer = setInterval(tick, SWEEP_INTERVAL_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  async sweep(): Promise<number> {
    const queues = new Map([[FORGEJO_QUEUE, this.queue]]);
    let owed = 0;
    for (const ticketId of await this.candidates.ticketIds()) {
      for (const job of owedJobs(ticketId, await this.tickets.state(ticketId))) {
        await enqueue(queues, job, { owed: true });
        owed++;
      }
    }
    if (owed > 0) this.logger.info({ owed }, 'sweep enqueued owed syncs');
    return owed;
  }
}
