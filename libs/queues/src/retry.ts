import type { JobOptions } from 'bull';

export const RETRY_BACKOFF = 'exponential-jitter';
const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 5 * 60_000;

/** An error that says when to try again (a 429's Retry-After): the next attempt is not sooner. */
export interface RetryAfter {
  retryAfterMs?: number;
}

/** 1 s, 2 s, 4 s … (at most 5 min), each ±30 % so that retries of many jobs spread out; never before Retry-After. */
export function retryDelay(attemptsMade: number, error?: RetryAfter): number {
  const exponential = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attemptsMade - 1));
  const jittered = Math.round(exponential * (0.7 + Math.random() * 0.6));
  return Math.max(jittered, error?.retryAfterMs ?? 0);
}

/** What every background job gets unless it says otherwise: retries with backoff, failed jobs kept for admins. */
export const DEFAULT_JOB_OPTIONS: JobOptions = {
  attempts: 8,
  backoff: { type: RETRY_BACKOFF },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: false,
};

/** Bull's custom backoff strategies, by name. */
export const backoffStrategies = {
  [RETRY_BACKOFF]: (attemptsMade: number, error: Error) => retryDelay(attemptsMade, error as RetryAfter),
};
