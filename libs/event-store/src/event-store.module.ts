import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type pg from 'pg';
import { CONFIG, type Config } from '../../config/src/index.js';
import { PG_POOL } from '../../database/src/index.js';
import { EVENT_STORE, type EventStore } from './event-store.port.js';
import { createEventStore } from './create-event-store.js';

/** EventStoreDB when EVENTSTORE_URL is set, else Postgres: the rest of the code sees only the port. */
@Global()
@Module({
  providers: [
    {
      provide: EVENT_STORE,
      inject: [CONFIG, PG_POOL],
      useFactory: (config: Config, pool: pg.Pool): Promise<EventStore> => createEventStore(config, pool),
    },
  ],
  exports: [EVENT_STORE],
})
export class EventStoreModule implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
