import type { Migration } from './index.js';

/**
 * Keys the service makes for itself once (the reopen links' signing key), so that no configuration is needed;
 * and, per ticket, how many of its customer's reopens Forgejo has not been told of yet (what the sweep looks for).
 */
export const serviceKeys: Migration = {
  name: '0011-service-keys',
  up: `CREATE TABLE service_keys (
    name text PRIMARY KEY,
    key bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  ALTER TABLE tickets ADD COLUMN forgejo_reopens_owed int NOT NULL DEFAULT 0`,
};
