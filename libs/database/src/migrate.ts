import pg from 'pg';
import { Umzug, type UmzugStorage } from 'umzug';
import { migrations, type Migration } from './migrations/index.js';

const MIGRATION_LOCK = 727_001; // pg advisory lock key: api and worker may start at the same moment

class PostgresMigrationStorage implements UmzugStorage {
  constructor(private readonly client: pg.Client) {}
  async logMigration({ name }: { name: string }): Promise<void> {
    await this.client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
  }
  async unlogMigration({ name }: { name: string }): Promise<void> {
    await this.client.query('DELETE FROM schema_migrations WHERE name = $1', [name]);
  }
  async executed(): Promise<string[]> {
    const { rows } = await this.client.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
    return rows.map((row) => row.name);
  }
}

/** Runs every pending migration with umzug, each in its own transaction, under an advisory lock. */
export async function migrate(databaseUrl: string, list: Migration[] = migrations): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
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
            await client.query('COMMIT');
          } catch (error) {
            await client.query('ROLLBACK');
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
    await client.end();
  }
}
