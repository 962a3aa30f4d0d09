import type { Migration } from './index.js';

/** events a projection could not apply, set aside so the rest goes on; admins see them in /admin/sync-failures */
export const parkedEvents: Migration = {
  name: '0006-parked-events',
  up: `
    CREATE TABLE parked_events (
      projection       text NOT NULL,
      event_id         uuid NOT NULL,
      stream_id        text NOT NULL,
      revision         integer NOT NULL,
      type             text NOT NULL,
      commit_position  bigint NOT NULL,
      prepare_position bigint NOT NULL,
      error            text NOT NULL,
      parked_at        timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (projection, event_id)
    );
    CREATE INDEX parked_events_parked_at ON parked_events (parked_at DESC);
  `,
};
