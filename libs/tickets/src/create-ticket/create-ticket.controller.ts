import { randomUUID } from 'node:crypto';
import { BadRequestException, Body, Controller, HttpCode, Post, Req, UseFilters } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentUser } from '../../../auth/src/nest.js';
import type { AuthenticatedUser } from '../../../auth/src/index.js';
import { TicketsQueries, type TicketWithComments } from '../../../read-models/src/index.js';
import { ReposRepository } from '../../../repos/src/index.js';
import { CreateTicket, requestMetadata } from '../../../ticket-commands/src/index.js';
import { readModelAnswer } from '../read-model-answer.js';
import { TicketWithCommentsResponse } from '../ticket.responses.js';
import { TicketRuleFilter } from '../ticket-rule.filter.js';
import { CreateTicketDto } from './create-ticket.dto.js';

@ApiTags('tickets')
@ApiBearerAuth()
@UseFilters(TicketRuleFilter)
@Controller('tickets')
export class CreateTicketController {
  constructor(
    private readonly commands: CommandBus,
    private readonly repos: ReposRepository,
    private readonly tickets: TicketsQueries,
  ) {}

  /** 201 with the ticket as GET /tickets/:id shows it (the command answers once the read model has it). */
  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ type: TicketWithCommentsResponse })
  async create(@Body() body: CreateTicketDto, @CurrentUser() user: AuthenticatedUser, @Req() request: FastifyRequest): Promise<TicketWithComments> {
    if (!(await this.repos.findBySlugCached(body.repo))) throw new BadRequestException(`repo "${body.repo}" does not exist`);
    const ticketId = randomUUID();
    const data = { ticketId, ...body, customerId: user.id, customerEmail: user.email, now: new Date().toISOString() };
    const { answers } = await this.commands.execute(new CreateTicket(ticketId, data, requestMetadata(user, String(request.id))));
    return readModelAnswer(await this.tickets.createdTicket(ticketId, user.id, answers));
  }
}
