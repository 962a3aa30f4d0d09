// Pure parts; the Nest module is database.module.ts.
export * from './ensure-database.js';
export * from './pool.js';
export * from './migrate.js';
export type { Migration } from './migrations/index.js';
export * from './connection-errors.js';
