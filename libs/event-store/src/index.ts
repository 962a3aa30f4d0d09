// The port and its adapters; the Nest module is event-store.module.ts, the contract test testing/.
export * from './event-store.port.js';
export * from './create-event-store.js';
export * from './postgres/postgres-event-store.js';
export * from './postgres/inline-projections.js';
export * from './postgres/sql-literals.js';
