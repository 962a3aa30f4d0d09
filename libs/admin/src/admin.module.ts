import { Module } from '@nestjs/common';
import { SyncFailuresQueries, TicketOwnersQueries, TicketsQueries } from '../../read-models/src/index.js';
import { ReposModule } from '../../repos/src/repos.module.js';
import { HttpExceptionFilter } from '../../observability/src/nest.js';
import { RebuildController } from './rebuild/rebuild.controller.js';
import { AdminReposController } from './repos/admin-repos.controller.js';
import { ResyncController } from './resync/resync.controller.js';
import { SyncFailuresController } from './sync-failures/sync-failures.controller.js';
import { AdminTicketsController } from './tickets/admin-tickets.controller.js';

/**
 * Every /admin route, one folder per use case: repos, tickets and their histories, sync failures, resync, rebuild.
 * The queue dashboard (queues/, Bull Board) is no Nest route: the API registers it on Fastify.
 */
@Module({
  imports: [ReposModule],
  controllers: [AdminReposController, AdminTicketsController, SyncFailuresController, ResyncController, RebuildController],
  providers: [HttpExceptionFilter, TicketsQueries, TicketOwnersQueries, SyncFailuresQueries],
})
export class AdminModule {}
