import type { Queue } from 'bull';
import type { JobRequest } from './saga.js';

/** Adds a job unless one with its id is already there (waiting, active, delayed, completed, or failed unless asked). */
export async function enqueue(queues: ReadonlyMap<string, Queue>, request: JobRequest): Promise<void> {
  const queue = queues.get(request.queue);
  if (!queue) throw new Error(`no queue named ${request.queue}`);
  if (request.retryFailed) {
    const existing = await queue.getJob(request.jobId);
    if (existing && (await existing.isFailed())) {
      await existing.retry();
      return;
    }
  }
  await queue.add(request.name, request.data, { ...request.options, jobId: request.jobId });
}
