import { getQueueToken } from '@nestjs/bull';
import { Inject, Injectable, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationBootstrap, type Provider, type Type } from '@nestjs/common';
import type { Queue } from 'bull';
import { PinoLogger } from 'nestjs-pino';
import type pg from 'pg';
import { PG_POOL } from '../../database/src/index.js';
import { EVENT_STORE, type EventStore } from '../../event-store/src/index.js';
import { ProjectionRunner } from '../../projections/src/index.js';
import { enqueue } from './job-queues.js';
import { SAGAS, type Saga } from './saga.js';

const QUEUES = Symbol('SAGA_QUEUES');
const SAGAS_SETTLE_MS = 20;

/**
 * Feeds every saga from one checkpointed subscription (the projection runner, so one active instance and no
 * event skipped): the jobs an event calls for are in Redis before its checkpoint moves past it.
 */
@Injectable()
export class SagasHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly runner: ProjectionRunner;

  constructor(
    @Inject(PG_POOL) pool: pg.Pool,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(SAGAS) sagas: Saga[],
    @Inject(QUEUES) queues: Map<string, Queue>,
    logger: PinoLogger,
  ) {
    logger.setContext('Sagas');
    this.runner = new ProjectionRunner({
      pool,
      store,
      projection: {
        name: 'sagas',
        async apply(event) {
          for (const saga of sagas) {
            for (const job of await saga.react(event)) await enqueue(queues, job);
          }
        },
      },
      log: { info: (msg) => logger.info(msg), error: (obj, msg) => logger.error(obj, msg) },
      // an event's jobs must reach Redis, however long it is away: every failure is retried, nothing parked
      parking: false,
      // Forgejo and mail are background work: a few milliseconds' gathering costs no one, and saves a transaction per event
      settleMs: SAGAS_SETTLE_MS,
    });
  }

  onApplicationBootstrap(): void {
    this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}

@Module({})
export class SagasModule {
  /** `queues`: the Bull queues (registered elsewhere with BullModule.registerQueue) that the sagas fill. */
  static forRoot(sagas: Type<Saga>[], queues: string[]): DynamicModule {
    const queuesProvider: Provider = {
      provide: QUEUES,
      inject: queues.map((name) => getQueueToken(name)),
      useFactory: (...instances: Queue[]) => new Map(queues.map((name, i) => [name, instances[i]])),
    };
    return {
      module: SagasModule,
      providers: [
        ...sagas,
        { provide: SAGAS, inject: sagas, useFactory: (...instances: Saga[]) => instances },
        queuesProvider,
        SagasHost,
      ],
    };
  }
}
