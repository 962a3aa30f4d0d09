export * from './admin.module.js';
export * from './tickets/ticket-history.js';
export * from './sync-failures/sync-failures.queries.js';
