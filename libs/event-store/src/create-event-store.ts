import type pg from 'pg';
import type { Config } from '../../config/src/index.js';
import type { EventStore } from './event-store.port.js';
import { PostgresEventStore } from './postgres/postgres-event-store.js';

/**
 * The one place the event store is chosen: EventStoreDB when EVENTSTORE_URL is set, else Postgres. Its client
 * (gRPC) loads only when it is used, so the command line starts fast without it.
 */
export async function createEventStore(config: Pick<Config, 'eventStoreUrl'>, pool: pg.Pool): Promise<EventStore> {
  if (!config.eventStoreUrl) return new PostgresEventStore(pool);
  const { EventStoreDbEventStore } = await import('./eventstoredb/eventstoredb-event-store.js');
  return new EventStoreDbEventStore(config.eventStoreUrl);
}
