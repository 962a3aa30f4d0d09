import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, type Config } from '../../../libs/config/src/index.js';
import { DatabaseModule } from '../../../libs/database/src/index.js';
import { EventStoreModule } from '../../../libs/event-store/src/index.js';
import { ForgejoSyncModule, forgejoSagas } from '../../../libs/forgejo/src/index.js';
import { MailModule, mailSagas } from '../../../libs/mail/src/index.js';
import { loggerModule } from '../../../libs/observability/src/index.js';
import { ProjectionsModule } from '../../../libs/projections/src/index.js';
import { FORGEJO_QUEUE, MAIL_QUEUE, QueuesModule } from '../../../libs/queues/src/index.js';
import { readModelProjections } from '../../../libs/read-models/src/index.js';
import { SagasModule } from '../../../libs/sagas/src/index.js';

/**
 * Background work: the read-model projections (standby for the API's, or active when no API runs), the sagas
 * that turn events into jobs, and the job processors (Forgejo, mail).
 */
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
        // the API waits on these for read-your-writes: it is faster when the API runs them, so the worker stands by
        ProjectionsModule.forRoot(readModelProjections, { firstTryDelayMs: 3000 }),
        QueuesModule.forRoot(config),
        SagasModule.forRoot([...forgejoSagas(config), ...mailSagas], [FORGEJO_QUEUE, MAIL_QUEUE]),
        ForgejoSyncModule.forRoot(config),
        MailModule,
      ],
    };
  }
}
