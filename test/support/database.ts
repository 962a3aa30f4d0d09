import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createPool, ensureDatabase, migrate } from '../../libs/database/src/index.js';

const SERVER = process.env.TEST_DATABASE_SERVER ?? 'postgresql://postgres@127.0.0.1:5432';

export interface TestDatabase {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test file, dropped afterwards. */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const name = `tb_${prefix}_${randomBytes(5).toString('hex')}`.toLowerCase();
  const url = `${SERVER}/${name}`;
  await ensureDatabase(url);
  await migrate(url);
  const pool = createPool(url);
  return {
    url,
    pool,
    async drop() {
      await pool.end();
      const admin = new pg.Client({ connectionString: `${SERVER}/postgres` });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      await admin.end();
      await dropQueues(name);
    },
  };
}

/** The Bull keys of a test database's queues (namespaced by database name, see libs/queues), in Redis db 0 and 5. */
async function dropQueues(database: string): Promise<void> {
  for (const db of [0, 5]) {
    const redis = new Redis({ host: '127.0.0.1', port: 6379, db, lazyConnect: true, maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      const keys: string[] = [];
      for await (const batch of redis.scanStream({ match: `tb:${database}:*`, count: 1000 })) keys.push(...(batch as string[]));
      for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
    } catch {
      // Redis is a test dependency like Postgres; leftover keys are harmless, so a failure here fails nothing
    } finally {
      redis.disconnect();
    }
  }
}
