import type { Migration } from './index.js';

/**
 * The last revision of its stream a ticket's row shows. The inline projection (in the append's transaction) and
 * the async runner both apply the tickets read model; each skips what the row already shows. Rows from before
 * start at -1: the runner fills them in as it applies their next event, and until then an append leaves its
 * events to the runner.
 */
export const ticketStreamRevision: Migration = {
  name: '0013-ticket-stream-revision',
  up: `ALTER TABLE tickets ADD COLUMN stream_revision integer NOT NULL DEFAULT -1;`,
};
