import { randomUUID } from 'node:crypto';
import { NotFoundException } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { TicketsQueries, type CommentView } from '../../../read-models/src/index.js';
import { TicketCommandRunner } from '../ticket-command-runner.js';
import { AddCommentCommand } from './add-comment.command.js';

@CommandHandler(AddCommentCommand)
export class AddCommentHandler implements ICommandHandler<AddCommentCommand, CommentView> {
  constructor(
    private readonly runner: TicketCommandRunner,
    private readonly tickets: TicketsQueries,
  ) {}

  async execute({ author, ticketId, body, metadata }: AddCommentCommand): Promise<CommentView> {
    // a ticket that is not the author's does not exist, as far as the author can tell
    if (!(await this.tickets.ownsTicket(ticketId, author.id))) throw new NotFoundException('ticket not found');
    const commentId = randomUUID();
    const now = new Date().toISOString();
    await this.runner.run(
      ticketId,
      { type: 'AddComment', data: { commentId, body, authorId: author.id, authorEmail: author.email, now } },
      metadata,
    );
    return {
      id: commentId,
      ticketId,
      body,
      author: 'customer',
      authorName: author.email,
      authorEmail: author.email,
      forgejoCommentId: null,
      createdAt: now,
      editedAt: null,
    };
  }
}
