import type { Migration } from './index.js';

/** Which Forgejo comments reach the customer as replies: `marked` (first line starts with /reply) or `all`. */
export const repoReplyMode: Migration = {
  name: '0009-repo-reply-mode',
  up: `ALTER TABLE repos ADD COLUMN reply_mode text NOT NULL DEFAULT 'marked' CONSTRAINT repos_reply_mode CHECK (reply_mode IN ('marked', 'all'))`,
};
