import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '../../../libs/config/src/config.module.js';
import type { Config } from '../../../libs/config/src/index.js';
import { DatabaseModule } from '../../../libs/database/src/database.module.js';
import { EventStoreModule } from '../../../libs/event-store/src/event-store.module.js';
import { ForgejoOutboundModule, forgejoSagas } from '../../../libs/forgejo/src/outbound/forgejo-outbound.module.js';
import { ForgejoReconcileModule, reconcileSagas } from '../../../libs/forgejo/src/reconcile/forgejo-reconcile.module.js';
import { MailModule, mailSagas } from '../../../libs/mail/src/mail.module.js';
import { loggerModule } from '../../../libs/observability/src/nest.js';
import { ProjectionsModule } from '../../../libs/projections/src/projections.module.js';
import { FORGEJO_QUEUE, MAIL_QUEUE } from '../../../libs/queues/src/index.js';
import { QueuesModule } from '../../../libs/queues/src/queues.module.js';
import { readModelProjections } from '../../../libs/read-models/src/index.js';
import { SagasModule } from '../../../libs/sagas/src/sagas.module.js';
import { TicketCommandsModule } from '../../../libs/ticket-commands/src/ticket-commands.module.js';

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
        ProjectionsModule.forRoot(readModelProjections, { firstTryDelayMs: 3000, inline: readModelProjections }),
        TicketCommandsModule,
        QueuesModule.forRoot(config),
        SagasModule.forRoot([...forgejoSagas(config), ...mailSagas, ...reconcileSagas(config)], [FORGEJO_QUEUE, MAIL_QUEUE]),
        ForgejoOutboundModule.forRoot(config),
        ForgejoReconcileModule.forRoot(config),
        MailModule,
      ],
    };
  }
}
