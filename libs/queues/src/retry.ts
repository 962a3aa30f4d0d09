import type { JobOptions } from 'bull';
import type { Config } from '../../config/src/index.js';

export const RETRY_BACKOFF = 'exponential-jitter';
/** The Forgejo jobs' backoff: its base and cap come from FORGEJO_RETRY_BASE_MS and FORGEJO_RETRY_MAX_MS. */
export const FORGEJO_BACKOFF = 'forgejo-exponential-jitter';

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 5 * 60_000 };

/**
 * An error that says when to try again (a 429's Retry-After): the next attempt is not sooner, unless that is past
 * the cap; then it is the cap, since no two attempts are further apart (a Forgejo still limiting answers 429 again).
 */
export interface RetryAfter {
  retryAfterMs?: number;
}

/**
 * base, 2 × base, 4 × base … each ±30 % so that retries of many jobs spread out, and never past the cap: once the
 * doubling reaches it, from 70 % of the cap to the cap. Not before Retry-After while that is within the cap.
 */
export function retryDelay(attemptsMade: number, error?: RetryAfter, { baseMs, maxMs }: BackoffPolicy = DEFAULT_BACKOFF): number {
  // 2 ** 60 is already past any cap: no Infinity from a job retried for days
  const exponential = baseMs * 2 ** Math.min(60, Math.max(0, attemptsMade - 1));
  const highest = Math.min(maxMs, 1.3 * exponential);
  const lowest = 0.7 * Math.min(exponential, maxMs);
  const jittered = Math.round(lowest + Math.random() * (highest - lowest));
  return Math.max(1, Math.min(maxMs, Math.max(jittered, error?.retryAfterMs ?? 0)));
}

/** What every background job gets unless it says otherwise: retries with backoff, failed jobs kept for admins. */
export const DEFAULT_JOB_OPTIONS: JobOptions = {
  attempts: 8,
  backoff: { type: RETRY_BACKOFF },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: false,
};

/**
 * A Forgejo job: time decides when it gives up (FORGEJO_RETRY_FOR_S, counted by the processor), not a count, so
 * its attempts are as good as unlimited.
 */
export const FORGEJO_JOB_OPTIONS: JobOptions = {
  attempts: 1_000_000_000,
  backoff: { type: FORGEJO_BACKOFF },
};

/** Bull's custom backoff strategies, by name. */
export function backoffStrategies(config: Pick<Config, 'forgejoRetryBaseMs' | 'forgejoRetryMaxMs'>) {
  const forgejo: BackoffPolicy = { baseMs: config.forgejoRetryBaseMs, maxMs: config.forgejoRetryMaxMs };
  return {
    [RETRY_BACKOFF]: (attemptsMade: number, error: Error) => retryDelay(attemptsMade, error as RetryAfter),
    [FORGEJO_BACKOFF]: (attemptsMade: number, error: Error) => retryDelay(attemptsMade, error as RetryAfter, forgejo),
  };
}
