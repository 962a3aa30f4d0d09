import type { Config } from '../../config/src/index.js';

export const FORGEJO_QUEUE = 'forgejo';
export const MAIL_QUEUE = 'mail';
export const QUEUE_NAMES = [FORGEJO_QUEUE, MAIL_QUEUE];

/** Each database gets its own queue namespace in Redis, so deployments (and test runs) sharing a Redis never mix. */
export function queuePrefix(config: Pick<Config, 'databaseUrl'>): string {
  return `tb:${decodeURIComponent(new URL(config.databaseUrl).pathname.slice(1)) || 'postgres'}`;
}
