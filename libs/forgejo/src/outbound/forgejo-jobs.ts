import { FORGEJO_JOB_OPTIONS, FORGEJO_QUEUE } from '../../../queues/src/index.js';
import type { JobRequest } from '../../../sagas/src/index.js';
import { owedSyncs, type TicketState } from '../../../ticket-domain/src/index.js';

// The Forgejo jobs, by deterministic ids: what the saga and the sweep enqueue and the processor runs (pure).

export const CREATE_ISSUE = 'create-issue';
export const CREATE_COMMENT = 'create-comment';
export const REOPEN_ISSUE = 'reopen-issue';

export const issueJob = (ticketId: string, retryFailed = false): JobRequest => ({
  queue: FORGEJO_QUEUE,
  name: CREATE_ISSUE,
  jobId: `issue:${ticketId}`,
  data: { ticketId },
  options: FORGEJO_JOB_OPTIONS,
  retryFailed,
});

export const commentJob = (ticketId: string, commentId: string, retryFailed = false): JobRequest => ({
  queue: FORGEJO_QUEUE,
  name: CREATE_COMMENT,
  jobId: `comment:${commentId}`,
  data: { ticketId, commentId },
  options: FORGEJO_JOB_OPTIONS,
  retryFailed,
});

/** A customer's reopen (the revision of its TicketReopened event) reaching Forgejo. */
export const reopenJob = (ticketId: string, revision: number, retryFailed = false): JobRequest => ({
  queue: FORGEJO_QUEUE,
  name: REOPEN_ISSUE,
  jobId: `reopen:${ticketId}:${revision}`,
  data: { ticketId, revision },
  options: FORGEJO_JOB_OPTIONS,
  retryFailed,
});

/** The jobs a ticket owes Forgejo, by the one rule (owedSyncs). */
export function owedJobs(ticketId: string, state: TicketState, retryFailed = false): JobRequest[] {
  const owed = owedSyncs(state, { retryFailed });
  return [
    ...(owed.issue ? [issueJob(ticketId, retryFailed)] : []),
    ...owed.comments.map((commentId) => commentJob(ticketId, commentId, retryFailed)),
    ...owed.reopens.map((revision) => reopenJob(ticketId, revision, retryFailed)),
  ];
}
