import type { Migration } from './index.js';

/**
 * Forgejo repos that tickets are filed against. A plain, mutable table on purpose (not events): the webhook
 * secret is overwritten in place when rotated and goes with the row when the repo is deleted, so no
 * immutable log ever keeps an old secret.
 */
export const repos: Migration = {
  name: '0003-repos',
  up: `
    CREATE TABLE repos (
      id             uuid PRIMARY KEY,
      slug           text NOT NULL,
      owner          text NOT NULL,
      name           text NOT NULL,
      webhook_secret text NOT NULL,
      created_at     timestamptz NOT NULL DEFAULT now(),
      updated_at     timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT repos_slug_key UNIQUE (slug),
      CONSTRAINT repos_slug_format CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
      CONSTRAINT repos_webhook_secret_not_empty CHECK (webhook_secret <> '')
    );
  `,
};
