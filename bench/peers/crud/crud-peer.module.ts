import { randomUUID } from 'node:crypto';
import { Controller, Get, Module, RequestMethod, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import type pg from 'pg';
import { TokenService } from '../../../libs/auth/src/index.js';
import { createPool, PG_POOL } from '../../../libs/database/src/index.js';
import { REDACTED_PATHS } from '../../../libs/observability/src/logger.js';
import { BearerGuard, Public } from './bearer.guard.js';
import { CrudTicketsController } from './tickets.controller.js';

@Controller('health')
class HealthController {
  @Public()
  @Get()
  health() {
    return { status: 'ok' };
  }
}

export interface PeerConfig {
  databaseUrl: string;
  logLevel: string;
}

/**
 * The CRUD peer: what a team would write without an event log. Logging as a stock nestjs-pino setup does it
 * (pino-http, a child logger per request) with the service's level, redaction and request ids.
 */
@Module({})
export class CrudPeerModule {
  static forRoot(config: PeerConfig): DynamicModule {
    return {
      module: CrudPeerModule,
      imports: [
        LoggerModule.forRoot({
          forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
          pinoHttp: {
            level: config.logLevel,
            base: { app: 'crud-peer' },
            redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
            genReqId: () => randomUUID(),
            customLogLevel: (req, res, error) =>
              error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : req.url === '/health' ? 'debug' : 'info',
          },
        }),
      ],
      controllers: [HealthController, CrudTicketsController],
      providers: [
        { provide: PG_POOL, useFactory: () => createPool(config.databaseUrl) },
        // as the service's AuthModule provides it
        { provide: TokenService, inject: [PG_POOL], useFactory: (pool: pg.Pool) => new TokenService(pool) },
        { provide: APP_GUARD, useClass: BearerGuard },
      ],
    };
  }
}
