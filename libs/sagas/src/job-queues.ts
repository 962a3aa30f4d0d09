import type { Queue } from 'bull';
import type { JobRequest } from './saga.js';

export interface EnqueueOptions {
  /**
   * The caller knows the work is still owed (the sweep, from the read models): a finished job with this id (one
   * that failed without its failure being recorded, or completed early) is replaced too.
   */
  owed?: boolean;
}

/**
 * Adds a job unless one with its id is already there (waiting, active, delayed, completed, or failed). An
 * admin's resync (`retryFailed`) or the sweep (`owed`) replaces a finished one with a new job of the same id:
 * a fresh retry budget (Bull's `retry()` would keep `attemptsMade`); the job decides by the ticket's state
 * whether anything is left to do.
 */
export async function enqueue(queues: ReadonlyMap<string, Queue>, request: JobRequest, { owed = false }: EnqueueOptions = {}): Promise<void> {
  const queue = queues.get(request.queue);
  if (!queue) throw new Error(`no queue named ${request.queue}`);
  if (request.retryFailed || owed) {
    const existing = await queue.getJob(request.jobId);
    if (existing && ((await existing.isFailed()) || (await existing.isCompleted()))) {
      // a job that another worker holds (active) is never removed; a finished one has no lock
      await existing.remove();
    }
  }
  await queue.add(request.name, request.data, { ...request.options, jobId: request.jobId });
}
