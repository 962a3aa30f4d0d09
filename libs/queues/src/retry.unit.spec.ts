import { describe, expect, it } from '@jest/globals';
import { backoffStrategies, FORGEJO_BACKOFF, RETRY_BACKOFF, retryDelay } from './retry.js';

const TEN_MINUTES = 600_000;
const forgejo = { baseMs: 1000, maxMs: TEN_MINUTES };
const delays = (attempt: number, error?: { retryAfterMs?: number }, policy = forgejo) => Array.from({ length: 500 }, () => retryDelay(attempt, error, policy));

describe('retryDelay', () => {
  it('doubles from the base, ±30 %', () => {
    for (let attempt = 1; attempt <= 8; attempt++) {
      const expected = 1000 * 2 ** (attempt - 1);
      for (const delay of delays(attempt)) {
        expect(delay).toBeGreaterThanOrEqual(0.7 * expected);
        expect(delay).toBeLessThanOrEqual(1.3 * expected);
      }
    }
  });

  it('never waits past the cap, jitter included, and still spreads the jobs that reached it', () => {
    for (const attempt of [9, 10, 11, 20, 5000]) {
      const all = delays(attempt);
      expect(Math.max(...all)).toBeLessThanOrEqual(TEN_MINUTES);
      expect(Math.min(...all)).toBeGreaterThanOrEqual(0.7 * Math.min(TEN_MINUTES, 1000 * 2 ** (attempt - 1)));
      // not all at the same moment
      expect(new Set(all).size).toBeGreaterThan(100);
    }
  });

  it('waits for a Retry-After within the cap, and no longer than the cap for a longer one', () => {
    expect(Math.min(...delays(1, { retryAfterMs: 120_000 }))).toBe(120_000);
    expect(Math.max(...delays(1, { retryAfterMs: 3_600_000 }))).toBe(TEN_MINUTES);
    expect(Math.max(...delays(30, { retryAfterMs: 3_600_000 }))).toBe(TEN_MINUTES);
  });

  it('is what Bull calls, by strategy name', () => {
    const strategies = backoffStrategies({ forgejoRetryBaseMs: 50, forgejoRetryMaxMs: 400 });
    for (let attempt = 1; attempt <= 50; attempt++) expect(strategies[FORGEJO_BACKOFF](attempt, new Error('x'))).toBeLessThanOrEqual(400);
    // the other jobs' default: at most 5 minutes
    expect(strategies[RETRY_BACKOFF](100, new Error('x'))).toBeLessThanOrEqual(300_000);
  });
});
