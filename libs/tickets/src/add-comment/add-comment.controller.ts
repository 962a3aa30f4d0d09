import { Body, Controller, HttpCode, UseFilters, Param, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentUser, type AuthenticatedUser } from '../../../auth/src/index.js';
import type { CommentView } from '../../../read-models/src/index.js';
import { metadataFor } from '../command-metadata.js';
import { TicketRuleFilter } from '../ticket-rule.filter.js';
import { TicketIdPipe } from '../ticket-id.pipe.js';
import { AddCommentCommand } from './add-comment.command.js';
import { AddCommentDto } from './add-comment.dto.js';

@ApiTags('tickets')
@ApiBearerAuth()
@UseFilters(TicketRuleFilter)
@Controller('tickets/:id/comments')
export class AddCommentController {
  constructor(private readonly commands: CommandBus) {}

  /** 201 with the comment, once GET /tickets/:id shows it; 404 unless the ticket is the caller's. */
  @Post()
  @HttpCode(201)
  add(
    @Param('id', TicketIdPipe) ticketId: string,
    @Body() body: AddCommentDto,
    @CurrentUser() user: AuthenticatedUser,
    @Req() request: FastifyRequest,
  ): Promise<CommentView> {
    return this.commands.execute(new AddCommentCommand(user, ticketId, body.body, metadataFor(user, request)));
  }
}
