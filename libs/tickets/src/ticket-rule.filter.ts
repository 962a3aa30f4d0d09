import { Catch, ConflictException, NotFoundException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpExceptionFilter } from '../../observability/src/nest.js';
import { TicketRuleBroken } from '../../ticket-domain/src/ticket.decider.js';

/** A broken ticket rule, told over HTTP: an unknown ticket is 404, anything else a 409 conflict. */
@Catch(TicketRuleBroken)
export class TicketRuleFilter implements ExceptionFilter {
  constructor(private readonly errors: HttpExceptionFilter) {}

  catch(error: TicketRuleBroken, host: ArgumentsHost): void {
    this.errors.catch(error.reason === 'not_found' ? new NotFoundException('ticket not found') : new ConflictException(error.message), host);
  }
}
