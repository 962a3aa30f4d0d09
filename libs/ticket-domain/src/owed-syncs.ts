import type { TicketState } from './ticket.decider.js';

export interface OwedSyncs {
  /** the ticket's issue is not linked yet */
  issue: boolean;
  /** comments not linked yet, once the issue exists (a comment waits for its issue) */
  comments: string[];
  /** revisions of the customer's reopens not yet in Forgejo, once the issue exists */
  reopens: number[];
}

/**
 * Pure: what a ticket still owes Forgejo. The one "sync owed" rule, for the saga and the sweep alike: nothing
 * linked, and no recorded failure unless an admin's resync (`retryFailed`) asks for it again.
 */
export function owedSyncs(state: TicketState, { retryFailed = false } = {}): OwedSyncs {
  if (state.status === 'none') return { issue: false, comments: [], reopens: [] };
  const wanted = (key: string) => retryFailed || !state.failedSyncs.has(key);
  if (state.forgejoIssueNumber === null) return { issue: wanted('issue'), comments: [], reopens: [] };
  const comments = [...state.comments].filter(([id, comment]) => comment.forgejoCommentId === null && wanted(id)).map(([id]) => id);
  // a reopen that gave up records no failure (the issue is linked): it stays owed, the sweep tries it again
  return { issue: false, comments, reopens: [...state.unsyncedReopens] };
}
