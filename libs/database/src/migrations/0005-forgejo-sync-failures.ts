import type { Migration } from './index.js';

export const forgejoSyncFailures: Migration = {
  name: '0005-forgejo-sync-failures',
  up: `
    -- set when a sync gave up, cleared by a resync: what the sweep skips and admins list
    ALTER TABLE tickets ADD COLUMN forgejo_sync_error text, ADD COLUMN forgejo_sync_failed_at timestamptz;
    ALTER TABLE comments ADD COLUMN forgejo_sync_error text, ADD COLUMN forgejo_sync_failed_at timestamptz;
    -- the sweep's questions: what is owed
    CREATE INDEX tickets_issue_owed ON tickets (seq) WHERE forgejo_issue_number IS NULL AND forgejo_sync_failed_at IS NULL;
    CREATE INDEX comments_comment_owed ON comments (ticket_id) WHERE forgejo_comment_id IS NULL AND forgejo_sync_failed_at IS NULL;
  `,
};
