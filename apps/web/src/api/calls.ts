// One function per API route the SPA calls.
import { call } from './client.js';
import { ROUTES } from './routes.js';
import type { Credentials, NewRepo, NewTicket, RepoChanges, TicketStatus } from './types.js';

export const register = (body: Credentials) => call(ROUTES.register, { body });
export const login = (body: Credentials) => call(ROUTES.login, { body });
export const logout = () => call(ROUTES.logout);
export const me = () => call(ROUTES.me);

export const listRepos = () => call(ROUTES.listRepos);
export const listTickets = (cursor?: string, limit?: number) => call(ROUTES.listTickets, { query: { cursor, limit } });
export const createTicket = (body: NewTicket) => call(ROUTES.createTicket, { body });
export const getTicket = (id: string) => call(ROUTES.getTicket, { params: { id } });
export const listComments = (id: string, cursor: string, limit = 200) =>
  call(ROUTES.listComments, { params: { id }, query: { cursor, limit } });
export const addComment = (id: string, body: string) => call(ROUTES.addComment, { params: { id }, body: { body } });
export const reopenTicket = (id: string) => call(ROUTES.reopenTicket, { params: { id } });

export const adminListRepos = () => call(ROUTES.adminListRepos);
export const adminCreateRepo = (body: NewRepo) => call(ROUTES.adminCreateRepo, { body });
export const adminUpdateRepo = (slug: string, body: RepoChanges) => call(ROUTES.adminUpdateRepo, { params: { slug }, body });
export const adminDeleteRepo = (slug: string) => call(ROUTES.adminDeleteRepo, { params: { slug } });
export const adminListTickets = (filter: { status?: TicketStatus; repo?: string; cursor?: string; limit?: number }) =>
  call(ROUTES.adminListTickets, { query: filter });
export const adminTicketHistory = (id: string) => call(ROUTES.adminTicketHistory, { params: { id } });
export const adminResync = (id: string) => call(ROUTES.adminResync, { params: { id } });
export const adminSyncFailures = () => call(ROUTES.adminSyncFailures);
export const adminRebuild = () => call(ROUTES.adminRebuild);
