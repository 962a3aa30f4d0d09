import type pg from 'pg';
import { Umzug, type UmzugStorage } from 'umzug';
import { migrations, type Migration } from './migrations/index.js';
import { CONNECT_TIMEOUT_MS, createClient } from './pool.js';

const MIGRATION_LOCK = 727_001; // pg advisory lock key: api and worker may start at the same moment

/**
 * umzug would log a migration after its COMMIT, so a crash in between would leave a schema without its record
 * (and the next start failing on it): here each migration writes its own record inside its transaction, and
 * the storage only reads.
 */
class PostgresMigrationStorage implements UmzugStorage {
  constructor(private readonly client: pg.Client) {}
  async logMigration(): Promise<void> {
    // recorded by the migration's own transaction (see migrate)
  }
  async unlogMigration({ name }: { name: string }): Promise<void> {
    await this.client.query('DELETE FROM schema_migrations WHERE name = $1', [name]);
  }
  async executed(): Promise<string[]> {
    const { rows } = await this.client.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
    return rows.map((row) => row.name);
  }
}

/** Runs every pending migration with umzug, each with its record in one transaction, under an advisory lock. */
export async function migrate(databaseUrl: string, list: Migration[] = migrations): Promise<string[]> {
  const client = createClient({ connectionString: databaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, run_at timestamptz NOT NULL DEFAULT now())',
    );
    const umzug = new Umzug({
      migrations: list.map((migration) => ({
        name: migration.name,
        up: async () => {
          await client.query('BEGIN');
          try {
            await client.query(migration.up);
            await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [migration.name]);
            await client.query('COMMIT');
          } catch (error) {
            await client.query('ROLLBACK').catch(() => undefined);
            throw error;
          }
        },
      })),
      storage: new PostgresMigrationStorage(client),
      logger: undefined,
    });
    const applied = await umzug.up();
    return applied.map((migration) => migration.name);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}
