import type { Migration } from './index.js';

export const ticketReadModels: Migration = {
  name: '0004-ticket-read-models',
  up: `
    CREATE TABLE tickets (
      id                   uuid PRIMARY KEY,
      -- the TicketCreated event's global position: newest first is seq descending, and the cursor of the lists
      -- (taken from the event, so a rebuild gives every ticket the same seq and cursors stay valid)
      seq                  bigint NOT NULL UNIQUE,
      owner_id             uuid NOT NULL,
      owner_email          text NOT NULL,
      repo                 text NOT NULL,
      title                text NOT NULL,
      description          text NOT NULL,
      status               text NOT NULL,
      forgejo_issue_number integer,
      created_at           timestamptz NOT NULL,
      updated_at           timestamptz NOT NULL,
      closed_at            timestamptz,
      CONSTRAINT tickets_repo_issue_key UNIQUE (repo, forgejo_issue_number)
    );
    CREATE INDEX tickets_owner_seq ON tickets (owner_id, seq DESC);
    CREATE INDEX tickets_status_seq ON tickets (status, seq DESC);
    CREATE INDEX tickets_repo_seq ON tickets (repo, seq DESC);

    CREATE TABLE comments (
      id                 uuid PRIMARY KEY,
      ticket_id          uuid NOT NULL REFERENCES tickets (id),
      -- the ticket stream's revision of the CommentAdded event: comments in the order they were added
      revision           integer NOT NULL,
      body               text NOT NULL,
      author_id          uuid NOT NULL,
      author_email       text NOT NULL,
      forgejo_comment_id bigint,
      created_at         timestamptz NOT NULL
    );
    CREATE INDEX comments_ticket_revision ON comments (ticket_id, revision);
  `,
};
