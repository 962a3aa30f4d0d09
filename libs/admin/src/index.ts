// Pure parts; the Nest module is admin.module.ts.
export * from './tickets/ticket-history.js';
