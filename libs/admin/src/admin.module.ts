import { Module } from '@nestjs/common';
import { TicketsModule } from '../../tickets/src/index.js';
import { RebuildController } from './projections/rebuild.controller.js';
import { SyncFailuresController } from './sync-failures/sync-failures.controller.js';
import { SyncFailuresQueries } from './sync-failures/sync-failures.queries.js';
import { AdminTicketsController } from './tickets/admin-tickets.controller.js';
import { TicketOwnersQueries } from './tickets/ticket-owners.queries.js';

/** The admins' audit routes: every ticket, each one's history, sync failures, and the read-model rebuild. */
@Module({
  imports: [TicketsModule],
  controllers: [AdminTicketsController, SyncFailuresController, RebuildController],
  providers: [TicketOwnersQueries, SyncFailuresQueries],
})
export class AdminModule {}
