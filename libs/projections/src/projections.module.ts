import { Inject, Injectable, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type pg from 'pg';
import { PG_POOL } from '../../database/src/index.js';
import { EVENT_STORE, PostgresEventStore, type EventStore } from '../../event-store/src/index.js';
import { inlineProjection, runsInline } from './inline-projection.js';
import type { Projection } from './projection.js';
import { ProjectionProgress } from './projection-progress.js';
import { ProjectionRunner } from './projection-runner.js';

export const PROJECTIONS = Symbol('PROJECTIONS');
const INLINE_RUNNER_SETTLE_MS = 50;
const RUNNER_OPTIONS = Symbol('PROJECTION_RUNNER_OPTIONS');

export interface ProjectionsOptions {
  /** Standby first: try to take the projections only after this delay (the worker, so the API's answers wait less). */
  firstTryDelayMs?: number;
  /**
   * Applied inside every append's transaction when the store is Postgres (EventStoreDB has no such thing: there
   * their runners serve them alone). Their runners, where this process runs them, go on beside: they catch up
   * what came before, and skip what the appends applied.
   */
  inline?: Projection[];
}

/**
 * Starts a runner per projection (active or standby) and stops them after the in-hand batch commits; hands the
 * inline ones to a Postgres store before anything is appended.
 */
@Injectable()
export class ProjectionsHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly runners: ProjectionRunner[];

  constructor(
    @Inject(PG_POOL) pool: pg.Pool,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(PROJECTIONS) projections: Projection[],
    progress: ProjectionProgress,
    logger: PinoLogger,
    @Inject(RUNNER_OPTIONS) options: ProjectionsOptions,
  ) {
    logger.setContext('Projections');
    const log = { info: (msg: string) => logger.info(msg), error: (obj: unknown, msg: string) => logger.error(obj, msg) };
    const inline = store instanceof PostgresEventStore ? (options.inline ?? []).filter(runsInline) : [];
    for (const projection of inline) (store as PostgresEventStore).addInline(inlineProjection(projection, log));
    // the runner of a projection applied inline answers no one, unless a rebuild is under way: it may gather
    this.runners = projections.map(
      (projection) =>
        new ProjectionRunner({
          pool,
          store,
          projection,
          progress,
          log,
          firstTryDelayMs: options.firstTryDelayMs,
          settleMs: inline.some((applied) => applied.name === projection.name) ? INLINE_RUNNER_SETTLE_MS : 0,
        }),
    );
  }

  onApplicationBootstrap(): void {
    for (const runner of this.runners) runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.stop()));
  }
}

@Module({})
export class ProjectionsModule {
  static forRoot(projections: Projection[], options: ProjectionsOptions = {}): DynamicModule {
    return {
      module: ProjectionsModule,
      global: true,
      providers: [
        { provide: PROJECTIONS, useValue: projections },
        { provide: RUNNER_OPTIONS, useValue: options },
        {
          provide: ProjectionProgress,
          inject: [PG_POOL],
          useFactory: (pool: pg.Pool) => new ProjectionProgress(pool, projections.map((p) => p.name)),
        },
        ProjectionsHost,
      ],
      exports: [ProjectionProgress],
    };
  }
}
