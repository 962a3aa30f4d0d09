import type { Migration } from './index.js';

/** events a projection could not apply, set aside so the rest goes on (filled by the parking work) */
export const parkedEvents: Migration = {
  name: '0006-parked-events',
  up: `SELECT 1`,
};
