import { randomBytes } from 'node:crypto';
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
    },
  };
}
