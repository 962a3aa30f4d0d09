/** What users read: the ticket and comment shapes of product.md. */
export interface CommentView {
  id: string;
  ticketId: string;
  body: string;
  author: 'customer' | 'team';
  authorName: string;
  authorEmail: string | null;
  forgejoCommentId: number | null;
  createdAt: string;
  editedAt: string | null;
}

export interface CommentPage {
  items: CommentView[];
  nextCursor: string | null;
}

export interface TicketView {
  id: string;
  repo: string;
  title: string;
  description: string;
  status: 'open' | 'closed';
  forgejoIssueNumber: number | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface TicketWithComments extends TicketView {
  /** the first comments in order (at most 200, fewer when their texts are long) */
  comments: CommentView[];
  /** where GET /tickets/:id/comments goes on; null when `comments` holds them all */
  commentsNextCursor: string | null;
}

export interface TicketRow {
  id: string;
  seq: string;
  owner_id: string;
  owner_email: string;
  repo: string;
  title: string;
  description: string;
  status: 'open' | 'closed';
  forgejo_issue_number: number | null;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
}

export interface CommentRow {
  id: string;
  ticket_id: string;
  revision: number;
  body: string;
  author: 'customer' | 'team';
  /** a team reply's Forgejo name; null on a customer's comment (its name is its writer's email) */
  author_name: string | null;
  /** null on a team reply */
  author_email: string | null;
  forgejo_comment_id: number | string | null;
  created_at: Date;
  edited_at: Date | null;
}

export function toTicketView(row: TicketRow): TicketView {
  return {
    id: row.id,
    repo: row.repo,
    title: row.title,
    description: row.description,
    status: row.status,
    forgejoIssueNumber: row.forgejo_issue_number,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    closedAt: row.closed_at ? row.closed_at.toISOString() : null,
  };
}

/** A customer's comment is named by its writer's email; a team reply by its Forgejo user, with no email. */
export function toCommentView(row: CommentRow): CommentView {
  const team = row.author === 'team';
  return {
    id: row.id,
    ticketId: row.ticket_id,
    body: row.body,
    author: team ? 'team' : 'customer',
    authorName: team ? (row.author_name ?? 'the team') : (row.author_email ?? ''),
    authorEmail: team ? null : row.author_email,
    forgejoCommentId: row.forgejo_comment_id === null ? null : Number(row.forgejo_comment_id),
    createdAt: row.created_at.toISOString(),
    editedAt: row.edited_at ? row.edited_at.toISOString() : null,
  };
}
