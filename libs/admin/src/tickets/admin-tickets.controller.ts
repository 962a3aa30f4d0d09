import { Controller, Get, Inject, NotFoundException, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AdminOnly } from '../../../auth/src/nest.js';
import { EVENT_STORE, type EventStore } from '../../../event-store/src/index.js';
import { TicketsQueries, type TicketView } from '../../../read-models/src/index.js';
import { AdminTicketPageResponse, TicketIdPipe } from '../../../tickets/src/index.js';
import { cursorOrFail, DEFAULT_PAGE_SIZE } from '../../../tickets/src/read-tickets/read-tickets.controller.js';
import { AdminListTicketsDto } from './admin-list-tickets.dto.js';
import { ticketHistoryJson } from './ticket-history.js';
import { TicketOwnersQueries, type TicketOwner } from '../../../read-models/src/tickets/ticket-owners.queries.js';

export type AdminTicketView = TicketView & TicketOwner;

export interface AdminTicketPage {
  items: AdminTicketView[];
  nextCursor: string | null;
}

/** Every customer's tickets, and each ticket's full history from the event log. */
@ApiTags('admin: tickets')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid bearer token' })
@ApiForbiddenResponse({ description: 'Not an admin' })
@AdminOnly()
@Controller('admin/tickets')
export class AdminTicketsController {
  constructor(
    private readonly tickets: TicketsQueries,
    private readonly owners: TicketOwnersQueries,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  /** Newest first, with who filed each; `status` and `repo` filter, `cursor` is the previous page's nextCursor. */
  @Get()
  @ApiOkResponse({ type: AdminTicketPageResponse })
  async list(@Query() query: AdminListTicketsDto): Promise<AdminTicketPage> {
    const page = await this.tickets.listTickets(
      { status: query.status, repo: query.repo },
      query.limit ?? DEFAULT_PAGE_SIZE,
      cursorOrFail(query.cursor),
    );
    const owners = await this.owners.ownersOf(page.items.map((ticket) => ticket.id));
    return {
      // a ticket without an owner row can only be one a rebuild swapped out between the two reads: leave it out
      items: page.items.flatMap((ticket) => {
        const owner = owners.get(ticket.id);
        return owner ? [{ ...ticket, ...owner }] : [];
      }),
      nextCursor: page.nextCursor,
    };
  }

  /** The ticket's whole event stream in revision order, with who caused each event and why. */
  @Get(':id/history')
  @ApiOkResponse({ description: '{ticketId, events: [{id, revision, type, data, metadata, recordedAt}]}' })
  @ApiNotFoundResponse({ description: 'No such ticket' })
  async history(@Param('id', TicketIdPipe) id: string, @Res() reply: FastifyReply): Promise<void> {
    // streamed: a ticket of 1,000 big comments is far more text than the API's heap may hold at once
    const history = await ticketHistoryJson(this.store, id);
    if (!history) throw new NotFoundException('ticket not found');
    await reply.header('content-type', 'application/json; charset=utf-8').send(history);
  }
}
