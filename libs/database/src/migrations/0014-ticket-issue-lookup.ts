import type { Migration } from './index.js';

/**
 * The webhook's lookup of a delivery's ticket by slug and issue number. 0007's index puts the repository's owner and
 * name between the two, and the lookup's OR (links from before the repository was kept have none) keeps it from
 * using them: every delivery walked all of the slug's tickets in that index, 100,000 of them on a big desk.
 */
export const ticketIssueLookup: Migration = {
  name: '0014-ticket-issue-lookup',
  up: `CREATE INDEX tickets_repo_issue_number ON tickets (repo, forgejo_issue_number) WHERE forgejo_issue_number IS NOT NULL;`,
};
