import type { Migration } from './index.js';

/** tickets keep the Forgejo repository their issue lives in; attempts that may have reached Forgejo (filled by the Forgejo work) */
export const forgejoRepository: Migration = {
  name: '0007-forgejo-repository',
  up: `
    ALTER TABLE tickets ADD COLUMN forgejo_owner text, ADD COLUMN forgejo_name text;
    -- a repo moved to another Forgejo repository gets issue numbers again: the write side never promised them unique
    ALTER TABLE tickets DROP CONSTRAINT tickets_repo_issue_key;
    -- the webhook's lookup: the slug, the issue's repository (any case) and its number
    CREATE INDEX tickets_repo_forgejo_issue ON tickets (repo, lower(forgejo_owner), lower(forgejo_name), forgejo_issue_number);

    -- a POST to Forgejo is about to start: a row already there means an earlier attempt may have reached Forgejo
    -- (kept in Postgres, so a lost Redis cannot forget it)
    CREATE TABLE forgejo_attempts (
      key      text PRIMARY KEY,
      first_at timestamptz NOT NULL DEFAULT now()
    );
  `,
};
