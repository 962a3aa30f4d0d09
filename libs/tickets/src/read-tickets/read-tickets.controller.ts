import { BadRequestException, Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../../../auth/src/nest.js';
import type { AuthenticatedUser } from '../../../auth/src/index.js';
import {
  decodeCommentCursor,
  decodeCursor,
  TicketsQueries,
  type CommentPage,
  type TicketPage,
  type TicketWithComments,
} from '../../../read-models/src/index.js';
import { CommentPageResponse, TicketPageResponse, TicketWithCommentsResponse } from '../ticket.responses.js';
import { TicketIdPipe } from '../ticket-id.pipe.js';
import { DEFAULT_COMMENT_PAGE_SIZE, ListCommentsDto } from './list-comments.dto.js';
import { ListTicketsDto } from './list-tickets.dto.js';

export const DEFAULT_PAGE_SIZE = 20;

export function cursorOrFail(cursor: string | undefined): string | null {
  if (cursor === undefined) return null;
  const seq = decodeCursor(cursor);
  if (seq === null) throw new BadRequestException('cursor is not a cursor this API gave out');
  return seq;
}

@ApiTags('tickets')
@ApiBearerAuth()
@Controller('tickets')
export class ReadTicketsController {
  constructor(private readonly tickets: TicketsQueries) {}

  /** The caller's own tickets, newest first. */
  @Get()
  @ApiOkResponse({ type: TicketPageResponse })
  list(@Query() query: ListTicketsDto, @CurrentUser() user: AuthenticatedUser): Promise<TicketPage> {
    return this.tickets.listTickets({ ownerId: user.id }, query.limit ?? DEFAULT_PAGE_SIZE, cursorOrFail(query.cursor));
  }

  /** One of the caller's tickets with its first comments (see commentsNextCursor for the rest); 404 for anyone else's. */
  @Get(':id')
  @ApiOkResponse({ type: TicketWithCommentsResponse })
  async get(@Param('id', TicketIdPipe) id: string, @CurrentUser() user: AuthenticatedUser): Promise<TicketWithComments> {
    const ticket = await this.tickets.findTicket(id, user.id);
    if (!ticket) throw new NotFoundException('ticket not found');
    return ticket;
  }

  /** The comments of one of the caller's tickets, in order, a page at a time; 404 for anyone else's. */
  @Get(':id/comments')
  @ApiOkResponse({ type: CommentPageResponse })
  async comments(
    @Param('id', TicketIdPipe) id: string,
    @Query() query: ListCommentsDto,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<CommentPage> {
    if (!(await this.tickets.ownsTicket(id, user.id))) throw new NotFoundException('ticket not found');
    const after = query.cursor === undefined ? null : decodeCommentCursor(query.cursor);
    if (query.cursor !== undefined && after === null) throw new BadRequestException('cursor is not a cursor this API gave out');
    return this.tickets.listComments(id, query.limit ?? DEFAULT_COMMENT_PAGE_SIZE, after);
  }
}
