import { getQueueToken } from '@nestjs/bull';
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bull';
import { PinoLogger } from 'nestjs-pino';
import type pg from 'pg';
import { PG_POOL } from '../../database/src/index.js';
import { FORGEJO_QUEUE } from '../../queues/src/index.js';
import { enqueue } from '../../sagas/src/index.js';
import { commentJob, issueJob } from './forgejo-sagas.js';

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
    @Inject(PG_POOL) private readonly pool: pg.Pool,
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
    const issues = await this.pool.query<{ id: string }>(
      'SELECT id FROM tickets WHERE forgejo_issue_number IS NULL AND forgejo_sync_failed_at IS NULL',
    );
    const comments = await this.pool.query<{ id: string; ticket_id: string }>(
      `SELECT c.id, c.ticket_id FROM comments c JOIN tickets t ON t.id = c.ticket_id
       WHERE c.forgejo_comment_id IS NULL AND c.forgejo_sync_failed_at IS NULL AND t.forgejo_issue_number IS NOT NULL`,
    );
    for (const { id } of issues.rows) await enqueue(queues, issueJob(id), { owed: true });
    for (const { id, ticket_id } of comments.rows) await enqueue(queues, commentJob(ticket_id, id), { owed: true });
    const owed = issues.rowCount! + comments.rowCount!;
    if (owed > 0) this.logger.info({ issues: issues.rowCount, comments: comments.rowCount }, 'sweep enqueued owed syncs');
    return owed;
  }
}
