import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../../auth/src/nest.js';
import { REOPEN_PAGE_HEADERS, invalidLinkPage, type ReopenLinkPage } from './reopen-link.page.js';
import { ReopenLinks } from './reopen-link.service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Sends one of the link's pages as HTML. */
export function sendPage(reply: FastifyReply, page: ReopenLinkPage): void {
  void reply.status(page.status).headers(REOPEN_PAGE_HEADERS).send(page.html);
}

/** A link's ticket id: not even a UUID is a link this service never made. */
export const linkTicketId = (id: string): string | null => (UUID.test(id) ? id.toLowerCase() : null);

/** GET /tickets/:id/reopen?token=…: the page of the resolved email's link (no sign-in; looks, never changes). */
@ApiExcludeController()
@Controller('tickets/:id/reopen')
export class ReopenLinkController {
  constructor(private readonly links: ReopenLinks) {}

  @Public()
  @Get()
  async page(@Param('id') id: string, @Query('token') token: unknown, @Res() reply: FastifyReply): Promise<void> {
    const ticketId = linkTicketId(id);
    sendPage(reply, ticketId ? await this.links.look(ticketId, token) : invalidLinkPage());
  }
}
