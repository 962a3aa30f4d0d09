import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { ConfigModule } from '../../../libs/config/src/config.module.js';
import type { Config } from '../../../libs/config/src/index.js';
import { DatabaseModule } from '../../../libs/database/src/database.module.js';
import { EventStoreModule } from '../../../libs/event-store/src/event-store.module.js';
import { ProjectionsModule } from '../../../libs/projections/src/projections.module.js';
import { readModelProjections } from '../../../libs/read-models/src/index.js';
import { TicketCommandsModule } from '../../../libs/ticket-commands/src/ticket-commands.module.js';

/**
 * What a command-line command needs to send ticket commands the way the apps do, through the same CommandBus:
 * the database, the event store and the ticket commands. No projection runner runs here (none is waited for), and logs
 * go to stderr, so stdout carries only the command's answer.
 */
@Module({})
export class CliCommandsModule {
  static forRoot(config: Config): DynamicModule {
    return {
      module: CliCommandsModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({ pinoHttp: [{ level: config.logLevel, base: { app: 'admin-cli' } }, pino.destination({ fd: 2, sync: true })] }),
        DatabaseModule,
        EventStoreModule,
        // no runner here, but its appends apply the read models in their own transactions (Postgres)
        ProjectionsModule.forRoot([], { inline: readModelProjections }),
        TicketCommandsModule,
      ],
    };
  }
}
