import { BullModule, getQueueToken } from '@nestjs/bull';
import { Global, Inject, Injectable, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import type { AdvancedSettings, Queue } from 'bull';
import { PinoLogger } from 'nestjs-pino';
import type { Config } from '../../config/src/index.js';
import { bullRedisOptions } from './redis-options.js';
import { backoffStrategies, DEFAULT_JOB_OPTIONS } from './retry.js';

export const FORGEJO_QUEUE = 'forgejo';
export const MAIL_QUEUE = 'mail';

const settings = (config: Config): AdvancedSettings => ({
  backoffStrategies: backoffStrategies(config),
  // a job whose worker died (SIGKILL) is taken up again after its lock runs out
  lockDuration: 10_000,
  stalledInterval: 5_000,
  maxStalledCount: 5,
});

/** Each database gets its own queue namespace in Redis, so deployments (and test runs) sharing a Redis never mix. */
export function queuePrefix(config: Pick<Config, 'databaseUrl'>): string {
  return `tb:${decodeURIComponent(new URL(config.databaseUrl).pathname.slice(1)) || 'postgres'}`;
}

const QUEUE_NAMES = [FORGEJO_QUEUE, MAIL_QUEUE];

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
