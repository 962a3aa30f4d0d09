import type { Migration } from './index.js';

/**
 * Reconcile's progress: per Forgejo repository (owner and name as first seen, `key` their lower-cased form, since
 * Forgejo compares them without regard to case), the moment the last complete look at its issues and comments began.
 */
export const forgejoReconcileProgress: Migration = {
  name: '0012-forgejo-reconcile-progress',
  up: `
    CREATE TABLE forgejo_reconcile_progress (
      key        text PRIMARY KEY,
      owner      text NOT NULL,
      name       text NOT NULL,
      since      timestamptz NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
  `,
};
