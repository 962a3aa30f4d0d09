import type pg from 'pg';
// the libraries' indexes hold their pure parts only: a command starts without Nest (and the gRPC client loads
// only when EVENTSTORE_URL asks for it)
import type { Config } from '../../../libs/config/src/index.js';
import { createPool, ensureDatabase, migrate } from '../../../libs/database/src/index.js';
import { createEventStore, type EventStore } from '../../../libs/event-store/src/index.js';

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
  const store = await createEventStore(config, pool);
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
