import type { TicketState } from './ticket.decider.js';

export interface OwedSyncs {
  /** the ticket's issue is not linked yet */
  issue: boolean;
  /** comments not linked yet, once the issue exists (a comment waits for its issue) */
  comments: string[];
}

/**
 * Pure: what a ticket still owes Forgejo. The one "sync owed" rule, for the saga and the sweep alike: nothing
 * linked, and no recorded failure unless an admin's resync (`retryFailed`) asks for it again.
 */
export function owedSyncs(state: TicketState, { retryFailed = false } = {}): OwedSyncs {
  if (state.status === 'none') return { issue: false, comments: [] };
  const wanted = (key: string) => retryFailed || !state.failedSyncs.has(key);
  if (state.forgejoIssueNumber === null) return { issue: wanted('issue'), comments: [] };
  const comments = [...state.comments].filter(([id, comment]) => comment.forgejoCommentId === null && wanted(id)).map(([id]) => id);
  return { issue: false, comments };
}
