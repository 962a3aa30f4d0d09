import { BullModule } from '@nestjs/bull';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { AdvancedSettings } from 'bull';
import type { Config } from '../../config/src/index.js';
import { backoffStrategies, DEFAULT_JOB_OPTIONS } from './retry.js';

export const FORGEJO_QUEUE = 'forgejo';
export const MAIL_QUEUE = 'mail';

const settings: AdvancedSettings = {
  backoffStrategies,
  // a job whose worker died (SIGKILL) is taken up again after its lock runs out
  lockDuration: 10_000,
  stalledInterval: 5_000,
  maxStalledCount: 5,
};

/** Each database gets its own queue namespace in Redis, so deployments (and test runs) sharing a Redis never mix. */
export function queuePrefix(config: Pick<Config, 'databaseUrl'>): string {
  return `tb:${decodeURIComponent(new URL(config.databaseUrl).pathname.slice(1)) || 'postgres'}`;
}

/** Redis for Bull, and the queues the service uses, injectable everywhere (`@InjectQueue(FORGEJO_QUEUE)`). */
@Global()
@Module({})
export class QueuesModule {
  static forRoot(config: Config): DynamicModule {
    const queues = BullModule.registerQueue({ name: FORGEJO_QUEUE }, { name: MAIL_QUEUE });
    return {
      module: QueuesModule,
      imports: [
        BullModule.forRoot({ redis: config.redisUrl, prefix: queuePrefix(config), defaultJobOptions: DEFAULT_JOB_OPTIONS, settings }),
        queues,
      ],
      exports: [queues],
    };
  }
}
