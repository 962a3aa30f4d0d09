import { ConflictException, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiForbiddenResponse, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { PinoLogger } from 'nestjs-pino';
import type pg from 'pg';
import { AdminOnly, CurrentUser } from '../../../auth/src/nest.js';
import type { AuthenticatedUser } from '../../../auth/src/index.js';
import { PG_POOL } from '../../../database/src/index.js';
import { EVENT_STORE, type EventStore } from '../../../event-store/src/index.js';
import { RebuildInProgressError, rebuildReadModels, type RebuildResult } from '../../../read-models/src/rebuild/rebuild.js';

@ApiTags('admin: projections')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid bearer token' })
@ApiForbiddenResponse({ description: 'Not an admin' })
@AdminOnly()
@Controller('admin/projections')
export class RebuildController {
  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('RebuildController');
  }

  /** Replays the whole event log into fresh read models and switches them in; answers once done. */
  @Post('rebuild')
  @HttpCode(200)
  @ApiOkResponse({ description: '{eventsReplayed, durationMs, parkedEvents}: parkedEvents counts the events the replay could not apply (listed in /admin/sync-failures)' })
  @ApiConflictResponse({ description: 'A rebuild is already running' })
  async rebuild(@CurrentUser() admin: AuthenticatedUser): Promise<RebuildResult> {
    this.logger.info({ accountId: admin.id }, 'read-model rebuild requested');
    try {
      const result = await rebuildReadModels(this.pool, this.store);
      this.logger.info({ accountId: admin.id, ...result }, 'read models rebuilt');
      return { eventsReplayed: result.eventsReplayed, durationMs: result.durationMs, parkedEvents: result.parkedEvents };
    } catch (error) {
      if (error instanceof RebuildInProgressError) throw new ConflictException(error.message);
      throw error;
    }
  }
}
