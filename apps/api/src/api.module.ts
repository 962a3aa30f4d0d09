import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AdminModule } from '../../../libs/admin/src/admin.module.js';
import { AuthModule } from '../../../libs/auth/src/auth.module.js';
import { ConfigModule } from '../../../libs/config/src/config.module.js';
import type { Config } from '../../../libs/config/src/index.js';
import { DatabaseModule } from '../../../libs/database/src/database.module.js';
import { EventStoreModule } from '../../../libs/event-store/src/event-store.module.js';
import { HealthController, HttpExceptionFilter, loggerModule } from '../../../libs/observability/src/nest.js';
import { ProjectionsModule } from '../../../libs/projections/src/projections.module.js';
import { QueuesModule } from '../../../libs/queues/src/queues.module.js';
import { readModelProjections } from '../../../libs/read-models/src/index.js';
import { ReposModule } from '../../../libs/repos/src/repos.module.js';
import { TicketCommandsModule } from '../../../libs/ticket-commands/src/ticket-commands.module.js';
import { TicketsModule } from '../../../libs/tickets/src/tickets.module.js';
import { ForgejoInboundModule } from '../../../libs/forgejo/src/inbound/forgejo-inbound.module.js';

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
        ProjectionsModule.forRoot(readModelProjections, { inline: readModelProjections }),
        TicketCommandsModule,
        AuthModule,
        ReposModule,
        TicketsModule,
        ForgejoInboundModule,
        AdminModule,
        // the queue dashboard (/admin/queues) reads them; the API adds no jobs and processes none
        QueuesModule.forRoot(config),
      ],
      controllers: [HealthController],
      providers: [{ provide: APP_FILTER, useClass: HttpExceptionFilter }],
    };
  }
}
