import { BullModule, getQueueToken } from '@nestjs/bull';
import { Global, Inject, Injectable, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import type { AdvancedSettings, Queue } from 'bull';
import { PinoLogger } from 'nestjs-pino';
import type { Config } from '../../config/src/index.js';
import { FORGEJO_QUEUE, MAIL_QUEUE, QUEUE_NAMES, queuePrefix } from './queue-names.js';
import { bullRedisOptions } from './redis-options.js';
import { backoffStrategies, DEFAULT_JOB_OPTIONS } from './retry.js';


const settings = (config: Config): AdvancedSettings => ({
  backoffStrategies: backoffStrategies(config),
  // a job whose worker died (SIGKILL) is taken up again after its lock runs out
  lockDuration: 10_000,
  stalledInterval: 5_000,
  maxStalledCount: 5,
});


/** A queue's Redis errors (a lost connection, which ioredis reconnects by itself) are logged, never fatal. */
@Injectable()
class QueueErrorLog implements OnModuleInit {
  private readonly queues: Queue[];

  constructor(private readonly logger: PinoLogger, @Inject(getQueueToken(FORGEJO_QUEUE)) forgejo: Queue, @Inject(getQueueToken(MAIL_QUEUE)) mail: Queue) {
    logger.setContext('Queues');
    this.queues = [forgejo, mail];
  }

  onModuleInit(): void {
    for (const queue of this.queues) queue.on('error', (error) => this.logger.warn({ err: error, queue: queue.name }, 'queue: Redis error'));
  }
}

/** Redis for Bull, and the queues the service uses, injectable everywhere (`@InjectQueue(FORGEJO_QUEUE)`). */
@Global()
@Module({})
export class QueuesModule {
  static forRoot(config: Config): DynamicModule {
    const queues = BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name })));
    const prefix = queuePrefix(config);
    return {
      module: QueuesModule,
      imports: [
        BullModule.forRoot({ redis: bullRedisOptions(config.redisUrl, prefix), prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS, settings: settings(config) }),
        queues,
      ],
      providers: [QueueErrorLog],
      exports: [queues],
    };
  }
}
