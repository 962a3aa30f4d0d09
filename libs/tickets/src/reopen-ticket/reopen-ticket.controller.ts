import { Body, Controller, HttpCode, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public, RequestAuthenticator } from '../../../auth/src/nest.js';
import type { AuthenticatedUser } from '../../../auth/src/index.js';
import { TicketsQueries, type TicketWithComments } from '../../../read-models/src/index.js';
import { ReopenTicket, requestMetadata } from '../../../ticket-commands/src/index.js';
import { invalidLinkPage } from '../reopen-link/reopen-link.page.js';
import { linkTicketId, sendPage } from '../reopen-link/reopen-link.controller.js';
import { ReopenLinks } from '../reopen-link/reopen-link.service.js';
import { readModelAnswer } from '../read-model-answer.js';
import { TicketIdPipe } from '../ticket-id.pipe.js';
import { TicketWithCommentsResponse } from '../ticket.responses.js';
import { TicketRuleFilter } from '../ticket-rule.filter.js';
import { ReopenTicketDto } from './reopen-ticket.dto.js';


/**
 * POST /tickets/:id/reopen, two ways in: the signed-in customer (bearer token or session cookie, answered with the ticket as JSON),
 * or the reopen link's page (a form with the link's token, no sign-in, answered with a page). Public to the
 * global guard for the second; the first is authenticated here, as the guard would.
 */
@ApiTags('tickets')
@ApiBearerAuth()
@UseFilters(TicketRuleFilter)
@Controller('tickets/:id/reopen')
export class ReopenTicketController {
  constructor(
    private readonly commands: CommandBus,
    private readonly tickets: TicketsQueries,
    private readonly authenticator: RequestAuthenticator,
    private readonly links: ReopenLinks,
  ) {}

  /** 200 with the ticket, open again, once GET /tickets/:id shows it; 409 when it is open; 404 unless it is the caller's. */
  @Public()
  @Post()
  @HttpCode(200)
  @ApiOkResponse({ type: TicketWithCommentsResponse, description: 'the ticket, open again (JSON for a signed-in customer; the reopen-link form gets a page)' })
  async reopen(
    @Param('id') id: string,
    @Body() body: ReopenTicketDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TicketWithComments | void> {
    if (body?.token !== undefined && !request.headers.authorization) {
      const ticketId = linkTicketId(id);
      return sendPage(reply, ticketId ? await this.links.reopen(ticketId, body.token, String(request.id)) : invalidLinkPage());
    }
    const user = await this.signedIn(request);
    const ticketId = new TicketIdPipe().transform(id);
    const data = { by: 'customer' as const, customerId: user.id, now: new Date().toISOString() };
    await this.commands.execute(new ReopenTicket(ticketId, data, requestMetadata(user, String(request.id))));
    return readModelAnswer(await this.tickets.findTicket(ticketId, user.id));
  }

  private async signedIn(request: FastifyRequest): Promise<AuthenticatedUser> {
    return (await this.authenticator.authenticate(request)).user;
  }
}
