import type { Migration } from './index.js';

export const eventStore: Migration = {
  name: '0001-event-store',
  up: `
    CREATE TABLE events (
      position       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      -- the writing transaction: readers only read below the oldest running one, so no late commit is skipped
      transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
      stream_id      text NOT NULL,
      revision       integer NOT NULL,
      event_id       uuid NOT NULL,
      type           text NOT NULL,
      data           jsonb NOT NULL,
      metadata       jsonb NOT NULL,
      recorded_at    timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision),
      CONSTRAINT events_event_id_key UNIQUE (event_id)
    );
    CREATE INDEX events_global_order ON events (transaction_id, position);

    CREATE TABLE projection_checkpoints (
      name             text PRIMARY KEY,
      commit_position  bigint NOT NULL,
      prepare_position bigint NOT NULL,
      updated_at       timestamptz NOT NULL DEFAULT now()
    );
  `,
};
