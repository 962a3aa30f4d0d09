import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type Type } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { CONFIG, type Config } from '../../config/src/index.js';
import { ReposModule } from '../../repos/src/index.js';
import type { Saga } from '../../sagas/src/index.js';
import { TicketCommandRunner } from '../../tickets/src/index.js';
import { ForgejoClient } from './forgejo-client.js';
import { ForgejoSyncSaga } from './forgejo-sagas.js';
import { ForgejoSyncProcessor } from './forgejo-sync.processor.js';
import { SyncSweep } from './sync-sweep.js';

@Injectable()
class SyncOffWarning implements OnApplicationBootstrap {
  constructor(private readonly logger: PinoLogger) {
    logger.setContext('ForgejoSync');
  }

  onApplicationBootstrap(): void {
    this.logger.warn('FORGEJO_URL is not set: tickets and comments are not synced to Forgejo');
  }
}

/** The sagas that turn ticket events into Forgejo jobs; none without FORGEJO_URL. */
export function forgejoSagas(config: Config): Type<Saga>[] {
  return config.forgejoUrl ? [ForgejoSyncSaga] : [];
}

/** The worker side of the Forgejo sync: the client, the job processor and the sweep; a warning when sync is off. */
@Module({})
export class ForgejoSyncModule {
  static forRoot(config: Config): DynamicModule {
    if (!config.forgejoUrl) return { module: ForgejoSyncModule, providers: [SyncOffWarning] };
    return {
      module: ForgejoSyncModule,
      imports: [ReposModule],
      providers: [
        {
          provide: ForgejoClient,
          inject: [CONFIG],
          useFactory: (c: Config) => new ForgejoClient({ baseUrl: c.forgejoUrl!, token: c.forgejoApiToken, timeoutMs: c.forgejoTimeoutMs }),
        },
        TicketCommandRunner,
        ForgejoSyncProcessor,
        SyncSweep,
      ],
    };
  }
}
