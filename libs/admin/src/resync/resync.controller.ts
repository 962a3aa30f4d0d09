import { Controller, HttpCode, Param, Post, Req, UseFilters } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AdminOnly, CurrentUser } from '../../../auth/src/nest.js';
import type { AuthenticatedUser } from '../../../auth/src/index.js';
import { RequestResync, requestMetadata } from '../../../ticket-commands/src/index.js';
import { TicketIdPipe, TicketRuleFilter } from '../../../tickets/src/index.js';

@ApiTags('admin')
@ApiBearerAuth()
@AdminOnly()
@UseFilters(TicketRuleFilter)
@Controller('admin/tickets/:id/resync')
export class ResyncController {
  constructor(private readonly commands: CommandBus) {}

  /**
   * 202: the ticket's failed Forgejo syncs (its issue, or its comments) start again. The request is an event in
   * the ticket's history; the worker's saga re-runs the failed jobs. 404 when there is no such ticket.
   */
  @Post()
  @HttpCode(202)
  async resync(@Param('id', TicketIdPipe) id: string, @CurrentUser() admin: AuthenticatedUser, @Req() request: FastifyRequest) {
    await this.commands.execute(new RequestResync(id, { now: new Date().toISOString() }, requestMetadata(admin, String(request.id))));
    return { ticketId: id, status: 'resync requested' };
  }
}
