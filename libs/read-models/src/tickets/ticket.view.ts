/** What users read: the ticket and comment shapes of product.md. */
export interface CommentView {
  id: string;
  ticketId: string;
  body: string;
  authorEmail: string;
  forgejoCommentId: number | null;
  createdAt: string;
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
  comments: CommentView[];
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

export interface CommentJson {
  id: string;
  ticket_id: string;
  body: string;
  author_email: string;
  forgejo_comment_id: number | string | null;
  created_at: string;
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

export function toCommentView(row: CommentJson): CommentView {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    body: row.body,
    authorEmail: row.author_email,
    forgejoCommentId: row.forgejo_comment_id === null ? null : Number(row.forgejo_comment_id),
    createdAt: new Date(row.created_at).toISOString(),
  };
}
