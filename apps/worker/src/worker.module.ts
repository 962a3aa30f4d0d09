import { BullModule } from '@nestjs/bull';
import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, type Config } from '../../../libs/config/src/index.js';
import { DatabaseModule } from '../../../libs/database/src/index.js';
import { EventStoreModule } from '../../../libs/event-store/src/index.js';
import { loggerModule } from '../../../libs/observability/src/index.js';
import { ProjectionsModule } from '../../../libs/projections/src/index.js';
import { readModelProjections } from '../../../libs/read-models/src/index.js';

/** Background work: projections (standby for the API's, or active when the API is not running), sagas and queues. */
@Module({})
export class WorkerModule {
  static forRoot(config: Config): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        loggerModule(config, 'worker'),
        DatabaseModule,
        EventStoreModule,
        ProjectionsModule.forRoot(readModelProjections),
        BullModule.forRoot({ redis: config.redisUrl }),
      ],
    };
  }
}
