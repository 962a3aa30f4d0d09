import type pg from 'pg';
// deep imports, not the libraries' indexes: a command starts without loading Nest, Swagger or the gRPC client
import type { Config } from '../../../config/src/config.js';
import { ensureDatabase } from '../../../database/src/ensure-database.js';
import { migrate } from '../../../database/src/migrate.js';
import { createPool } from '../../../database/src/pool.js';
import type { EventStore } from '../../../event-store/src/event-store.port.js';
import { PostgresEventStore } from '../../../event-store/src/postgres/postgres-event-store.js';

export interface Infrastructure {
  pool: pg.Pool;
  store: EventStore;
  close(): Promise<void>;
}

/** What the services build at start, without Nest: the database (created and migrated) and the event store by config. */
export async function openInfrastructure(config: Config): Promise<Infrastructure> {
  await ensureDatabase(config.databaseUrl);
  await migrate(config.databaseUrl);
  const pool = createPool(config.databaseUrl, 4);
  let store: EventStore;
  if (config.eventStoreUrl) {
    const { EventStoreDbEventStore } = await import('../../../event-store/src/eventstoredb/eventstoredb-event-store.js');
    store = new EventStoreDbEventStore(config.eventStoreUrl);
  } else store = new PostgresEventStore(pool);
  return {
    pool,
    store,
    async close() {
      await store.close().catch(() => undefined);
      await pool.end().catch(() => undefined);
    },
  };
}

export async function withInfrastructure<T>(config: Config, work: (infrastructure: Infrastructure) => Promise<T>): Promise<T> {
  const infrastructure = await openInfrastructure(config);
  try {
    return await work(infrastructure);
  } finally {
    await infrastructure.close();
  }
}
