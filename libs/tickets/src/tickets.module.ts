import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { HttpExceptionFilter } from '../../observability/src/index.js';
import { TicketsQueries } from '../../read-models/src/index.js';
import { ReposModule } from '../../repos/src/index.js';
import { AddCommentController } from './add-comment/add-comment.controller.js';
import { AddCommentHandler } from './add-comment/add-comment.handler.js';
import { CreateTicketController } from './create-ticket/create-ticket.controller.js';
import { CreateTicketHandler } from './create-ticket/create-ticket.handler.js';
import { ReadTicketsController } from './read-tickets/read-tickets.controller.js';
import { TicketCommandRunner } from './ticket-command-runner.js';
import { TicketDecisionStates } from './ticket-decision-state.repository.js';

/** The customers' ticket routes: one slice per use case. */
@Module({
  imports: [CqrsModule.forRoot(), ReposModule],
  controllers: [CreateTicketController, AddCommentController, ReadTicketsController],
  providers: [HttpExceptionFilter, TicketCommandRunner, TicketDecisionStates, TicketsQueries, CreateTicketHandler, AddCommentHandler],
  exports: [TicketCommandRunner, TicketDecisionStates, TicketsQueries],
})
export class TicketsModule {}
