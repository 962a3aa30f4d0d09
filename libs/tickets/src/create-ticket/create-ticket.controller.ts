import { Body, Controller, HttpCode, UseFilters, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentUser, type AuthenticatedUser } from '../../../auth/src/index.js';
import type { TicketWithComments } from '../../../read-models/src/index.js';
import { metadataFor } from '../command-metadata.js';
import { TicketRuleFilter } from '../ticket-rule.filter.js';
import { CreateTicketCommand } from './create-ticket.command.js';
import { CreateTicketDto } from './create-ticket.dto.js';

@ApiTags('tickets')
@ApiBearerAuth()
@UseFilters(TicketRuleFilter)
@Controller('tickets')
export class CreateTicketController {
  constructor(private readonly commands: CommandBus) {}

  /** 201 with the ticket, once GET /tickets/:id shows it. */
  @Post()
  @HttpCode(201)
  create(@Body() body: CreateTicketDto, @CurrentUser() user: AuthenticatedUser, @Req() request: FastifyRequest): Promise<TicketWithComments> {
    return this.commands.execute(new CreateTicketCommand(user, body, metadataFor(user, request)));
  }
}
