import { randomUUID } from 'node:crypto';
import { BadRequestException, Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Req } from '@nestjs/common';
import type pg from 'pg';
import type { AuthenticatedUser } from '../../../libs/auth/src/index.js';
import { PG_POOL } from '../../../libs/database/src/index.js';
import { CreateTicketDto } from '../../../libs/tickets/src/create-ticket/create-ticket.dto.js';
import { TicketIdPipe } from '../../../libs/tickets/src/ticket-id.pipe.js';

interface TicketRow {
  id: string;
  repo: string;
  title: string;
  description: string;
  status: string;
  forgejo_issue_number: number | null;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
  comments?: unknown[];
}

const COLUMNS = 'id, repo, title, description, status, forgejo_issue_number, created_at, updated_at, closed_at';

// a ticket's first 200 comments in order, as the service's GET /tickets/:id carries them, in the same statement
const COMMENTS = `COALESCE((SELECT json_agg(json_build_object(
    'id', c.id, 'ticketId', c.ticket_id, 'body', c.body, 'author', c.author, 'authorName', c.author_name,
    'authorEmail', c.author_email, 'forgejoCommentId', c.forgejo_comment_id, 'createdAt', c.created_at, 'editedAt', c.edited_at))
  FROM (SELECT * FROM crud_comments WHERE ticket_id = t.id ORDER BY created_at LIMIT 200) c), '[]'::json) AS comments`;

/** The ticket in the service's answer shape. */
function view(row: TicketRow) {
  return {
    id: row.id,
    repo: row.repo,
    title: row.title,
    description: row.description,
    status: row.status,
    forgejoIssueNumber: row.forgejo_issue_number,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    closedAt: row.closed_at,
    comments: row.comments ?? [],
  };
}

/** The two routes of the yardstick: the same DTO and id pipe as the service, one statement per step (the GET's carries the comments). */
@Controller('tickets')
export class CrudTicketsController {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  @Post()
  @HttpCode(201)
  async create(@Body() body: CreateTicketDto, @Req() request: { user: AuthenticatedUser }) {
    const repo = await this.pool.query('SELECT id, slug, owner, name, created_at FROM crud_repos WHERE slug = $1', [body.repo]);
    if (repo.rowCount === 0) throw new BadRequestException(`repo "${body.repo}" does not exist`);
    const { rows } = await this.pool.query<TicketRow>(
      `INSERT INTO crud_tickets (id, owner_id, repo, title, description) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [randomUUID(), request.user.id, body.repo, body.title, body.description],
    );
    return view(rows[0]!);
  }

  @Get(':id')
  async get(@Param('id', TicketIdPipe) id: string, @Req() request: { user: AuthenticatedUser }) {
    const { rows } = await this.pool.query<TicketRow>(`SELECT ${COLUMNS}, ${COMMENTS} FROM crud_tickets t WHERE id = $1 AND owner_id = $2`, [
      id,
      request.user.id,
    ]);
    if (!rows[0]) throw new NotFoundException('ticket not found');
    return view(rows[0]);
  }
}
