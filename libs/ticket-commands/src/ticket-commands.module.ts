import { Global, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TicketCommandRunner, ticketCommandHandlers } from './ticket-commands.js';
import { ReadYourWrites } from './read-your-writes.js';
import { TicketDecisionStates } from './ticket-decision-state.repository.js';
import { TicketReader } from './ticket-reader.js';

/**
 * The one command path, for the API and the worker alike: the CommandBus, a handler per ticket command, the one
 * runner behind them, and the reader that background work uses. Needs EVENT_STORE, PG_POOL and ProjectionProgress.
 */
@Global()
@Module({
  imports: [CqrsModule.forRoot()],
  providers: [TicketDecisionStates, TicketReader, ReadYourWrites, TicketCommandRunner, ...ticketCommandHandlers],
  exports: [CqrsModule, TicketReader],
})
export class TicketCommandsModule {}
