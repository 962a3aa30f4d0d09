import { randomUUID } from 'node:crypto';
import { BadRequestException } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { TicketWithComments } from '../../../read-models/src/index.js';
import { ReposRepository } from '../../../repos/src/index.js';
import { TicketCommandRunner } from '../ticket-command-runner.js';
import { CreateTicketCommand } from './create-ticket.command.js';

@CommandHandler(CreateTicketCommand)
export class CreateTicketHandler implements ICommandHandler<CreateTicketCommand, TicketWithComments> {
  constructor(
    private readonly runner: TicketCommandRunner,
    private readonly repos: ReposRepository,
  ) {}

  async execute({ customer, input, metadata }: CreateTicketCommand): Promise<TicketWithComments> {
    if (!(await this.repos.findBySlug(input.repo))) throw new BadRequestException(`repo "${input.repo}" does not exist`);
    const ticketId = randomUUID();
    const now = new Date().toISOString();
    await this.runner.run(
      ticketId,
      {
        type: 'CreateTicket',
        data: { ticketId, ...input, customerId: customer.id, customerEmail: customer.email, now },
      },
      metadata,
    );
    // what the read model now holds, without reading it back
    return {
      id: ticketId,
      ...input,
      status: 'open',
      forgejoIssueNumber: null,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      comments: [],
      commentsNextCursor: null,
    };
  }
}
