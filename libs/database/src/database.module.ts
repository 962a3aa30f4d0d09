import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type pg from 'pg';
import { CONFIG, type Config } from '../../config/src/index.js';
import { ensureDatabase } from './ensure-database.js';
import { migrate } from './migrate.js';
import { createPool, PG_POOL } from './pool.js';


/** The Postgres pool for read models (and events, without EventStoreDB); the database is created and migrated first. */
@Global()
@Module({
  providers: [
    {
      provide: PG_POOL,
      inject: [CONFIG],
      useFactory: async (config: Config) => {
        await ensureDatabase(config.databaseUrl);
        await migrate(config.databaseUrl);
        return createPool(config.databaseUrl);
      },
    },
  ],
  exports: [PG_POOL],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
