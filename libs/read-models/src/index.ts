import type { Projection } from '../../projections/src/index.js';
import { ticketsProjection } from './tickets/tickets.projection.js';

export * from './tickets/ticket.view.js';
export * from './tickets/tickets.queries.js';
export * from './tickets/ticket-by-issue.query.js';
export * from './tickets/reconcile.queries.js';
export * from './tickets/ticket-owners.queries.js';
export * from './tickets/sync-failures.queries.js';
export * from './tickets/ticket-shown-revision.query.js';
export * from './tickets/repo-has-tickets.query.js';
export { ticketsProjection };

/** Every read model the API serves and the worker keeps on standby. */
export const readModelProjections: Projection[] = [ticketsProjection];
export * from './rebuild/rebuild.js';
export * from './tickets/owed-syncs.query.js';
