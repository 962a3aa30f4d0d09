import { Controller, HttpCode, NotFoundException, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AdminOnly, CurrentUser, type AuthenticatedUser } from '../../../auth/src/index.js';
import { TicketsQueries } from '../../../read-models/src/index.js';
import { metadataFor, TicketCommandRunner, TicketIdPipe } from '../../../tickets/src/index.js';

@ApiTags('admin')
@ApiBearerAuth()
@AdminOnly()
@Controller('admin/tickets/:id/resync')
export class ResyncController {
  constructor(
    private readonly tickets: TicketCommandRunner,
    private readonly queries: TicketsQueries,
  ) {}

  /**
   * 202: the ticket's failed Forgejo syncs (its issue, or its comments) start again. The request is an event in
   * the ticket's history; the worker's saga re-runs the failed jobs.
   */
  @Post()
  @HttpCode(202)
  async resync(@Param('id', TicketIdPipe) id: string, @CurrentUser() admin: AuthenticatedUser, @Req() request: FastifyRequest) {
    if (!(await this.queries.findTicket(id))) throw new NotFoundException('ticket not found');
    await this.tickets.run(id, { type: 'RequestResync', data: { now: new Date().toISOString() } }, metadataFor(admin, request));
    return { ticketId: id, status: 'resync requested' };
  }
}
