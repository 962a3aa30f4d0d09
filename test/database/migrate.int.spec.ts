import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { ensureDatabase, migrate, type Migration } from '../../libs/database/src/index.js';

const SERVER = process.env.TEST_DATABASE_SERVER ?? 'postgresql://postgres@127.0.0.1:5432';

/** A database with no migrations run (createTestDatabase migrates): this test brings its own list. */
describe('migrations', () => {
  const name = `tb_migrate_${randomBytes(5).toString('hex')}`;
  const url = `${SERVER}/${name}`;
  let client: pg.Client;

  const tables = async () =>
    (await client.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)).rows.map(
      (row) => row.table_name,
    );
  const records = async () => (await client.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name')).rows.map((row) => row.name);

  const first: Migration = { name: '0001-first', up: 'CREATE TABLE first_table (id int PRIMARY KEY)' };
  // creates its table, then fails: nothing of it may remain
  const failing: Migration = { name: '0002-second', up: 'CREATE TABLE second_table (id int PRIMARY KEY); SELECT 1 / 0' };
  const fixed: Migration = { name: '0002-second', up: 'CREATE TABLE second_table (id int PRIMARY KEY)' };

  beforeAll(async () => {
    await ensureDatabase(url);
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    const admin = new pg.Client({ connectionString: `${SERVER}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    await admin.end();
  });

  it('a failing migration leaves neither its record nor its schema; fixed, a re-run applies it once', async () => {
    await expect(migrate(url, [first, failing])).rejects.toThrow(/division by zero/);
    expect(await records()).toEqual(['0001-first']);
    expect(await tables()).toEqual(['first_table', 'schema_migrations']);

    expect(await migrate(url, [first, fixed])).toEqual(['0002-second']);
    expect(await records()).toEqual(['0001-first', '0002-second']);
    expect(await tables()).toEqual(['first_table', 'schema_migrations', 'second_table']);
    expect(await migrate(url, [first, fixed])).toEqual([]);
  });

  it('records a migration in the same transaction as its schema: a record exists exactly when its schema does', async () => {
    // a migration whose own transaction is rolled back after its record was written (as a crash before COMMIT)
    const interrupted: Migration = {
      name: '0003-interrupted',
      up: `CREATE TABLE third_table (id int);
           CREATE FUNCTION fail_on_record() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'crash before COMMIT'; END $$;
           CREATE TRIGGER fail_on_record AFTER INSERT ON schema_migrations FOR EACH ROW EXECUTE FUNCTION fail_on_record();`,
    };
    await expect(migrate(url, [first, fixed, interrupted])).rejects.toThrow(/crash before COMMIT/);
    expect(await records()).toEqual(['0001-first', '0002-second']);
    expect(await tables()).not.toContain('third_table');
    const { rowCount } = await client.query(`SELECT 1 FROM pg_trigger WHERE tgname = 'fail_on_record'`);
    expect(rowCount).toBe(0);
  });
});
