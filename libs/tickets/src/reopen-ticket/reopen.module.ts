import { Module } from '@nestjs/common';
import { AuthModule } from '../../../auth/src/auth.module.js';
import { ServiceKeys } from '../../../auth/src/reopen-links/index.js';
import { HttpExceptionFilter } from '../../../observability/src/nest.js';
import { TicketsQueries } from '../../../read-models/src/index.js';
import { ReopenLinkController } from '../reopen-link/reopen-link.controller.js';
import { ReopenLinks } from '../reopen-link/reopen-link.service.js';
import { ReopenTicketController } from './reopen-ticket.controller.js';

/** Reopening from the customer's side: POST /tickets/:id/reopen (signed in, or the link's form) and the link's page. */
@Module({
  imports: [AuthModule],
  controllers: [ReopenTicketController, ReopenLinkController],
  providers: [HttpExceptionFilter, TicketsQueries, ServiceKeys, ReopenLinks],
})
export class ReopenModule {}
