// The bodies the SPA sends and the responses it reads, as product.md describes them. No DOM types here: the
// API contract test imports this file under the root (Node) tsconfig.

export type Role = 'customer' | 'admin';
export type TicketStatus = 'open' | 'closed';
export type ReplyMode = 'marked' | 'all';

export interface Account {
  id: string;
  email: string;
  role: Role;
}

export interface Credentials {
  email: string;
  password: string;
}

export interface Session {
  token: string;
  expiresAt: string;
}

export interface RepoSlug {
  slug: string;
}

export interface Comment {
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

export interface TicketSummary {
  id: string;
  repo: string;
  title: string;
  description: string;
  status: TicketStatus;
  forgejoIssueNumber: number | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface Ticket extends TicketSummary {
  comments: Comment[];
  commentsNextCursor: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface AdminTicket extends TicketSummary {
  ownerId: string;
  ownerEmail: string;
}

export interface NewTicket {
  repo: string;
  title: string;
  description: string;
}

export interface NewComment {
  body: string;
}

export interface AdminRepo {
  id: string;
  slug: string;
  owner: string;
  name: string;
  replyMode: ReplyMode;
  webhookUrl: string;
  hasWebhookSecret: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface NewRepo {
  slug: string;
  owner: string;
  name: string;
  webhookSecret: string;
  replyMode?: ReplyMode;
}

export interface RepoChanges {
  owner?: string;
  name?: string;
  webhookSecret?: string;
  replyMode?: ReplyMode;
}

export type Actor =
  | { type: 'customer'; id: string }
  | { type: 'admin'; id: string }
  | { type: 'forgejo'; login?: string }
  | { type: 'system' };

export interface EventMetadata {
  actor: Actor;
  correlationId: string;
  causationId: string;
  [key: string]: unknown;
}

export interface HistoryEvent {
  id: string;
  revision: number;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  recordedAt: string;
}

export interface TicketHistory {
  ticketId: string;
  events: HistoryEvent[];
}

export interface TicketSyncFailure {
  ticketId: string;
  repo: string;
  title: string;
  reason: string;
  failedAt: string;
}

export interface CommentSyncFailure {
  commentId: string;
  ticketId: string;
  reason: string;
  failedAt: string;
}

export interface ParkedEvent {
  projection: string;
  eventId: string;
  streamId: string;
  revision: number;
  type: string;
  error: string;
  parkedAt: string;
}

export interface SyncFailures {
  tickets: TicketSyncFailure[];
  comments: CommentSyncFailure[];
  parkedEvents: ParkedEvent[];
}

export interface RebuildResult {
  eventsReplayed: number;
  durationMs: number;
  parkedEvents: number;
}

/** Every error the API answers. */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string;
}
