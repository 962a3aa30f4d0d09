// The API routes the SPA calls, as plain data: method, OpenAPI-style path, the success status it expects and
// the fields it sends and reads. The API contract test (test/web/web-api-contract.int.spec.ts) checks this
// table against GET /docs-json, so it stays free of DOM types and imports with explicit .js suffixes.
import type {
  Account,
  AdminRepo,
  AdminTicket,
  Comment,
  Credentials,
  NewComment,
  NewRepo,
  NewTicket,
  Page,
  RebuildResult,
  RepoChanges,
  RepoSlug,
  Session,
  SyncFailures,
  Ticket,
  TicketHistory,
  TicketSummary,
} from './types.js';

type Leaf<V> = [V] extends [readonly (infer E)[]]
  ? [E] extends [object]
    ? readonly [Shape<E>]
    : true
  : [V] extends [object]
    ? Shape<V> | true
    : true;

/**
 * Every field of T, as data: `true` for a field read as a whole, a nested shape for an object, `[shape]` for an
 * array of objects. Typed so that a field added to or dropped from T must be added to or dropped from its shape.
 */
export type Shape<T> = { readonly [K in keyof T]-?: Leaf<NonNullable<T[K]>> };

/** A body's shape: an object's, or `[item shape]` for an array. */
export type BodyShape<T> = [T] extends [readonly (infer E)[]] ? readonly [Shape<E>] : Shape<T>;

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** A route without its types: what the contract test reads. */
export interface RouteSpec {
  readonly method: Method;
  /** with `{name}` placeholders, as the OpenAPI document spells paths */
  readonly path: string;
  /** the success status the SPA expects */
  readonly status: number;
  readonly query?: readonly string[];
  readonly request?: object;
  readonly response?: object;
}

export interface Route<Req = undefined, Res = undefined> extends RouteSpec {
  readonly request?: BodyShape<Req>;
  readonly response?: BodyShape<Res>;
  /** never set: carries the request and response types to the client */
  readonly types?: (request: Req) => Res;
}

const route = <Req = undefined, Res = undefined>(spec: Omit<Route<Req, Res>, 'types'>): Route<Req, Res> => spec;

const account: Shape<Account> = { id: true, email: true, role: true };
const credentials: Shape<Credentials> = { email: true, password: true };
const comment: Shape<Comment> = {
  id: true,
  ticketId: true,
  body: true,
  author: true,
  authorName: true,
  authorEmail: true,
  forgejoCommentId: true,
  createdAt: true,
  editedAt: true,
};
const ticketSummary: Shape<TicketSummary> = {
  id: true,
  repo: true,
  title: true,
  description: true,
  status: true,
  forgejoIssueNumber: true,
  createdAt: true,
  updatedAt: true,
  closedAt: true,
};
const ticket: Shape<Ticket> = { ...ticketSummary, comments: [comment], commentsNextCursor: true };
const adminRepo: Shape<AdminRepo> = {
  id: true,
  slug: true,
  owner: true,
  name: true,
  replyMode: true,
  webhookUrl: true,
  hasWebhookSecret: true,
  createdAt: true,
  updatedAt: true,
};
const page = <T>(items: Shape<T>) => ({ items: [items] as const, nextCursor: true as const });
const paging = ['limit', 'cursor'] as const;

export const ROUTES = {
  register: route<Credentials, Account>({ method: 'POST', path: '/auth/register', status: 201, request: credentials, response: account }),
  login: route<Credentials, Session>({
    method: 'POST',
    path: '/auth/login',
    status: 200,
    request: credentials,
    response: { token: true, expiresAt: true },
  }),
  logout: route({ method: 'POST', path: '/auth/logout', status: 204 }),
  me: route<undefined, Account>({ method: 'GET', path: '/auth/me', status: 200, response: account }),

  listRepos: route<undefined, RepoSlug[]>({ method: 'GET', path: '/repos', status: 200, response: [{ slug: true }] }),
  listTickets: route<undefined, Page<TicketSummary>>({
    method: 'GET',
    path: '/tickets',
    status: 200,
    query: paging,
    response: page(ticketSummary),
  }),
  createTicket: route<NewTicket, Ticket>({
    method: 'POST',
    path: '/tickets',
    status: 201,
    request: { repo: true, title: true, description: true },
    response: ticket,
  }),
  getTicket: route<undefined, Ticket>({ method: 'GET', path: '/tickets/{id}', status: 200, response: ticket }),
  listComments: route<undefined, Page<Comment>>({
    method: 'GET',
    path: '/tickets/{id}/comments',
    status: 200,
    query: paging,
    response: page(comment),
  }),
  addComment: route<NewComment, Comment>({
    method: 'POST',
    path: '/tickets/{id}/comments',
    status: 201,
    request: { body: true },
    response: comment,
  }),
  reopenTicket: route<undefined, Ticket>({ method: 'POST', path: '/tickets/{id}/reopen', status: 200, response: ticket }),

  adminListRepos: route<undefined, AdminRepo[]>({ method: 'GET', path: '/admin/repos', status: 200, response: [adminRepo] }),
  adminCreateRepo: route<NewRepo, AdminRepo>({
    method: 'POST',
    path: '/admin/repos',
    status: 201,
    request: { slug: true, owner: true, name: true, webhookSecret: true, replyMode: true },
    response: adminRepo,
  }),
  adminUpdateRepo: route<RepoChanges, AdminRepo>({
    method: 'PATCH',
    path: '/admin/repos/{slug}',
    status: 200,
    request: { owner: true, name: true, webhookSecret: true, replyMode: true },
    response: adminRepo,
  }),
  adminDeleteRepo: route({ method: 'DELETE', path: '/admin/repos/{slug}', status: 204 }),
  adminListTickets: route<undefined, Page<AdminTicket>>({
    method: 'GET',
    path: '/admin/tickets',
    status: 200,
    query: [...paging, 'status', 'repo'],
    response: page<AdminTicket>({ ...ticketSummary, ownerId: true, ownerEmail: true }),
  }),
  adminTicketHistory: route<undefined, TicketHistory>({
    method: 'GET',
    path: '/admin/tickets/{id}/history',
    status: 200,
    // data and metadata are read as a whole: the API documents them as objects without fixed fields
    response: { ticketId: true, events: [{ id: true, revision: true, type: true, data: true, metadata: true, recordedAt: true }] },
  }),
  adminResync: route({ method: 'POST', path: '/admin/tickets/{id}/resync', status: 202 }),
  adminSyncFailures: route<undefined, SyncFailures>({
    method: 'GET',
    path: '/admin/sync-failures',
    status: 200,
    response: {
      tickets: [{ ticketId: true, repo: true, title: true, reason: true, failedAt: true }],
      comments: [{ commentId: true, ticketId: true, reason: true, failedAt: true }],
      parkedEvents: [{ projection: true, eventId: true, streamId: true, revision: true, type: true, error: true, parkedAt: true }],
    },
  }),
  adminRebuild: route<undefined, RebuildResult>({
    method: 'POST',
    path: '/admin/projections/rebuild',
    status: 200,
    response: { eventsReplayed: true, durationMs: true, parkedEvents: true },
  }),
};

export type RouteName = keyof typeof ROUTES;
