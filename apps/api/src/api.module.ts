import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AdminModule } from '../../../libs/admin/src/index.js';
import { AuthModule } from '../../../libs/auth/src/index.js';
import { ConfigModule, type Config } from '../../../libs/config/src/index.js';
import { DatabaseModule } from '../../../libs/database/src/index.js';
import { EventStoreModule } from '../../../libs/event-store/src/index.js';
import { ResyncModule } from '../../../libs/forgejo/src/index.js';
import { HealthController, HttpExceptionFilter, loggerModule } from '../../../libs/observability/src/index.js';
import { ProjectionsModule } from '../../../libs/projections/src/index.js';
import { readModelProjections } from '../../../libs/read-models/src/index.js';
import { ReposModule } from '../../../libs/repos/src/index.js';
import { TicketsModule } from '../../../libs/tickets/src/index.js';
import { WebhooksModule } from '../../../libs/webhooks/src/index.js';

/** The HTTP side: every route, and the read-model projections it waits on for read-your-writes. */
@Module({})
export class ApiModule {
  static forRoot(config: Config): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        loggerModule(config, 'api'),
        DatabaseModule,
        EventStoreModule,
        ProjectionsModule.forRoot(readModelProjections),
        AuthModule,
        ReposModule,
        TicketsModule,
        WebhooksModule,
        ResyncModule,
        AdminModule,
      ],
      controllers: [HealthController],
      providers: [{ provide: APP_FILTER, useClass: HttpExceptionFilter }],
    };
  }
}
