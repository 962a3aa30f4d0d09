import type { RedisOptions } from 'ioredis';

/**
 * ioredis options for Bull's connections from a redis:// or rediss:// URL. Every connection carries the queue
 * prefix as its client name (`CLIENT LIST` shows whose it is), and a lost connection is retried quickly, at
 * most 5 s apart, for as long as it takes.
 */
export function bullRedisOptions(redisUrl: string, connectionName: string): RedisOptions {
  const url = new URL(redisUrl);
  return {
    host: url.hostname || '127.0.0.1',
    port: Number(url.port || 6379),
    db: Number(url.pathname.slice(1) || 0),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: { servername: url.hostname } } : {}),
    connectionName,
    retryStrategy: (times: number) => Math.min(5000, 50 * 2 ** times),
  };
}
