import type { Migration } from './index.js';

/** what a command on a ticket decides on, kept beside the stream (filled by the big-ticket work) */
export const ticketDecisionState: Migration = {
  name: '0008-ticket-decision-state',
  up: `SELECT 1`,
};
