import { Module } from '@nestjs/common';
import { HttpExceptionFilter } from '../../observability/src/nest.js';
import { TicketsQueries } from '../../read-models/src/index.js';
import { ReposModule } from '../../repos/src/repos.module.js';
import { AddCommentController } from './add-comment/add-comment.controller.js';
import { CreateTicketController } from './create-ticket/create-ticket.controller.js';
import { ReadTicketsController } from './read-tickets/read-tickets.controller.js';
import { ReopenModule } from './reopen-ticket/reopen.module.js';

/** The customers' ticket routes: one slice per use case; commands go through the global CommandBus. */
@Module({
  imports: [ReposModule, ReopenModule],
  controllers: [CreateTicketController, AddCommentController, ReadTicketsController],
  providers: [HttpExceptionFilter, TicketsQueries],
  exports: [TicketsQueries],
})
export class TicketsModule {}
