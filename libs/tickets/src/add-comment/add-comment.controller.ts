import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, Param, Post, Req, UseFilters } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentUser } from '../../../auth/src/nest.js';
import type { AuthenticatedUser } from '../../../auth/src/index.js';
import { TicketsQueries, type CommentView } from '../../../read-models/src/index.js';
import { AddComment, requestMetadata } from '../../../ticket-commands/src/index.js';
import { readModelAnswer } from '../read-model-answer.js';
import { CommentResponse } from '../ticket.responses.js';
import { TicketIdPipe } from '../ticket-id.pipe.js';
import { TicketRuleFilter } from '../ticket-rule.filter.js';
import { AddCommentDto } from './add-comment.dto.js';

@ApiTags('tickets')
@ApiBearerAuth()
@UseFilters(TicketRuleFilter)
@Controller('tickets/:id/comments')
export class AddCommentController {
  constructor(
    private readonly commands: CommandBus,
    private readonly tickets: TicketsQueries,
  ) {}

  /** 201 with the comment, once GET /tickets/:id shows it; 404 unless the ticket is the caller's (the decider says). */
  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ type: CommentResponse })
  async add(
    @Param('id', TicketIdPipe) ticketId: string,
    @Body() body: AddCommentDto,
    @CurrentUser() user: AuthenticatedUser,
    @Req() request: FastifyRequest,
  ): Promise<CommentView> {
    const commentId = randomUUID();
    const data = { commentId, body: body.body, authorId: user.id, authorEmail: user.email, now: new Date().toISOString() };
    await this.commands.execute(new AddComment(ticketId, data, requestMetadata(user, String(request.id))));
    return readModelAnswer(await this.tickets.findComment(commentId));
  }
}
