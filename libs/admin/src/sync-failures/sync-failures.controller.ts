import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AdminOnly } from '../../../auth/src/nest.js';
import { SyncFailuresQueries, type SyncFailures } from '../../../read-models/src/tickets/sync-failures.queries.js';

@ApiTags('admin: tickets')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid bearer token' })
@ApiForbiddenResponse({ description: 'Not an admin' })
@AdminOnly()
@Controller('admin/sync-failures')
export class SyncFailuresController {
  constructor(private readonly failures: SyncFailuresQueries) {}

  /** The tickets and comments whose Forgejo sync gave up, with the reason; POST /admin/tickets/:id/resync retries. */
  @Get()
  @ApiOkResponse({
    description:
      '{tickets: [{ticketId, repo, title, reason, failedAt}], comments: [{commentId, ticketId, reason, failedAt}], parkedEvents: [{projection, eventId, streamId, revision, type, position, error, parkedAt}]}',
  })
  list(): Promise<SyncFailures> {
    return this.failures.list();
  }
}
