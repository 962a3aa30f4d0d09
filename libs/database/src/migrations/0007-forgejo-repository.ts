import type { Migration } from './index.js';

/** tickets keep the Forgejo repository their issue lives in; attempts that may have reached Forgejo (filled by the Forgejo work) */
export const forgejoRepository: Migration = {
  name: '0007-forgejo-repository',
  up: `SELECT 1`,
};
