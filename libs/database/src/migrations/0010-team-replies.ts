import type { Migration } from './index.js';

/**
 * The team's replies are comments of the ticket too (which side wrote one is data): `author` says which,
 * `author_name` is the Forgejo user's name for a reply (a customer's comment has its writer's email instead),
 * `edited_at` the last edit. A reply's `forgejo_comment_id` is the Forgejo comment it came from.
 */
export const teamReplies: Migration = {
  name: '0010-team-replies',
  up: `
    ALTER TABLE comments
      ADD COLUMN author text NOT NULL DEFAULT 'customer' CONSTRAINT comments_author CHECK (author IN ('customer', 'team')),
      ADD COLUMN author_name text,
      ADD COLUMN edited_at timestamptz,
      ALTER COLUMN author_id DROP NOT NULL,
      ALTER COLUMN author_email DROP NOT NULL;
  `,
};
