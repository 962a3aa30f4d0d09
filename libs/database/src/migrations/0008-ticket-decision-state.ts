import type { Migration } from './index.js';

/**
 * What a command on a ticket decides on, kept beside the stream: the folded state as of `revision`, so a command
 * reads this row and the few events after it instead of every comment body. Only ever a cache of the stream.
 */
export const ticketDecisionState: Migration = {
  name: '0008-ticket-decision-state',
  up: `
    CREATE TABLE ticket_decision_state (
      ticket_id uuid PRIMARY KEY,
      revision int NOT NULL,
      state jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
  `,
};
