import { getQueueToken } from '@nestjs/bull';
import { Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type Type } from '@nestjs/common';
import type { Queue } from 'bull';
import { PinoLogger } from 'nestjs-pino';
import { CONFIG, type Config } from '../../../config/src/index.js';
import { OwedSyncsQuery } from '../../../read-models/src/index.js';
import { ReposModule } from '../../../repos/src/repos.module.js';
import type { Saga } from '../../../sagas/src/index.js';
import { FORGEJO_QUEUE } from '../../../queues/src/index.js';
import { ForgejoAttempts } from './forgejo-attempts.js';
import { ForgejoBreaker } from './forgejo-breaker.js';
import { ForgejoClient } from '../client/forgejo-client.js';
import { ForgejoJobFailures } from './forgejo-job-failures.js';
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

/** Everything owed to Forgejo at once, when it answers again, rather than after up to FORGEJO_RETRY_MAX_MS of backoff. */
async function promoteDelayed(queue: Queue): Promise<void> {
  const batches = Math.ceil((await queue.getDelayedCount()) / 500) + 1;
  for (let i = 0; i < batches; i++) {
    const jobs = await queue.getDelayed(0, 499);
    if (jobs.length === 0) return;
    // a job that left the delayed set meanwhile (its delay ran out) cannot be promoted: nothing lost
    await Promise.all(jobs.map((job) => job.promote().catch(() => undefined)));
  }
}

/**
 * The worker side of the Forgejo sync: the client, its breaker, the job processor and its failures, the sweep; a warning when
 * sync is off.
 */
@Module({})
export class ForgejoOutboundModule {
  static forRoot(config: Config): DynamicModule {
    if (!config.forgejoUrl) return { module: ForgejoOutboundModule, providers: [SyncOffWarning] };
    return {
      module: ForgejoOutboundModule,
      imports: [ReposModule],
      providers: [
        {
          provide: ForgejoClient,
          inject: [CONFIG],
          useFactory: (c: Config) => new ForgejoClient({ baseUrl: c.forgejoUrl!, token: c.forgejoApiToken, timeoutMs: c.forgejoTimeoutMs }),
        },
        {
          provide: ForgejoBreaker,
          inject: [CONFIG, ForgejoClient, getQueueToken(FORGEJO_QUEUE), PinoLogger],
          useFactory: (c: Config, client: ForgejoClient, queue: Queue, logger: PinoLogger) => {
            logger.setContext('ForgejoBreaker');
            return new ForgejoBreaker({
              probe: () => client.version(),
              probeIntervalMs: c.forgejoProbeIntervalMs,
              onRecovered: () => promoteDelayed(queue),
              log: { warn: (obj, msg) => logger.warn(obj, msg), info: (obj, msg) => logger.info(obj, msg) },
            });
          },
        },
        OwedSyncsQuery,
        ForgejoAttempts,
        ForgejoJobFailures,
        ForgejoSyncProcessor,
        SyncSweep,
      ],
    };
  }
}
