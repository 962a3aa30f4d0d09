export * from './event-store.port.js';
export * from './postgres/postgres-event-store.js';
