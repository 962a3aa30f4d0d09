import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type pg from 'pg';
import { Public } from '../../auth/src/nest.js';
import { CONFIG, type Config } from '../../config/src/index.js';
import { PG_POOL } from '../../database/src/index.js';
import { EVENT_STORE, type EventStore } from '../../event-store/src/index.js';
import { countParkedEvents } from '../../projections/src/parked-events.js';
import { pingRedis } from './redis-ping.js';

type CheckState = 'up' | 'down';

const CHECK_TIMEOUT_MS = 3000;

async function check(probe: () => Promise<unknown>): Promise<CheckState> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([probe(), timeout]);
    return 'up';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

@Public()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  /**
   * 200 when Postgres, Redis and the event store all answer; 503 naming each one that does not. Events a
   * projection parked are a detail, not a failure: `parkedEvents` (their count) appears once there are any.
   */
  @Get()
  async health(@Res({ passthrough: true }) reply: FastifyReply) {
    let parkedEvents = 0;
    const [postgres, redis, eventStore] = await Promise.all([
      check(async () => (parkedEvents = await countParkedEvents(this.pool))),
      check(() => pingRedis(this.config.redisUrl, CHECK_TIMEOUT_MS)),
      check(() => this.store.ping()),
    ]);
    const checks = { postgres, redis, eventStore };
    const detail = parkedEvents > 0 ? { parkedEvents } : {};
    const down = Object.entries(checks).filter(([, state]) => state === 'down').map(([name]) => name);
    if (down.length === 0) return { status: 'ok', checks, ...detail };
    reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return {
      statusCode: 503,
      error: 'Service Unavailable',
      message: `${down.join(', ')} ${down.length === 1 ? 'is' : 'are'} down`,
      status: 'error',
      checks,
      ...detail,
    };
  }
}
