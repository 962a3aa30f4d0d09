import type { Config } from '../../config/src/index.js';

export const FORGEJO_QUEUE = 'forgejo';
export const MAIL_QUEUE = 'mail';
export const QUEUE_NAMES = [FORGEJO_QUEUE, MAIL_QUEUE];

/**
 * How many jobs of each queue one worker runs at once. Bull adds up the concurrency of a queue's named processors,
 * and every one of the loops it starts takes any job of the queue (Queue#process; OptimalBits/bull#719): so one
 * processor of a queue declares the whole figure and the others 0.
 */
export const QUEUE_CONCURRENCY = {
  // issues and comments in flight at once against a slow Forgejo
  [FORGEJO_QUEUE]: 20,
  // emails at once: enough for a slow SMTP server, few enough to leave the database to requests
  [MAIL_QUEUE]: 5,
} as const;

/** Each database gets its own queue namespace in Redis, so deployments (and test runs) sharing a Redis never mix. */
export function queuePrefix(config: Pick<Config, 'databaseUrl'>): string {
  return `tb:${decodeURIComponent(new URL(config.databaseUrl).pathname.slice(1)) || 'postgres'}`;
}
