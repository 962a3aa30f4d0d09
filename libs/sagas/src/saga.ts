import type { JobOptions } from 'bull';
import type { RecordedEvent } from '../../event-store/src/index.js';

/** A job a saga asks for: the queue, the job name, a deterministic id (so a repeat is ignored) and its data. */
export interface JobRequest {
  queue: string;
  name: string;
  jobId: string;
  data: Record<string, unknown>;
  options?: Omit<JobOptions, 'jobId'>;
  /** An admin's resync: a failed job with this id is started again instead of being left as it is. */
  retryFailed?: boolean;
}

/**
 * Turns one event into the background jobs it calls for. Sagas run in the worker on a checkpointed
 * subscription: every event reaches them at least once (after a crash, maybe twice, which the job id absorbs).
 */
export interface Saga {
  readonly name: string;
  react(event: RecordedEvent): Promise<JobRequest[]> | JobRequest[];
}

export const SAGAS = Symbol('SAGAS');
