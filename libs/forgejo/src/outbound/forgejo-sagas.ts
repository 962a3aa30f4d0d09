import { Injectable } from '@nestjs/common';
import type { RecordedEvent } from '../../../event-store/src/index.js';
import { FORGEJO_JOB_OPTIONS, FORGEJO_QUEUE } from '../../../queues/src/index.js';
import type { JobRequest, Saga } from '../../../sagas/src/index.js';
import { TicketReader } from '../../../ticket-commands/src/index.js';
import { owedSyncs, type TicketState } from '../../../ticket-domain/src/index.js';

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

/**
 * Every ticket becomes an issue, every comment a comment on it. A comment made before its ticket's issue exists
 * waits for ForgejoIssueLinked, which sends all comments still owed.
 */
@Injectable()
export class ForgejoSyncSaga implements Saga {
  readonly name = 'forgejo-sync';

  constructor(private readonly tickets: TicketReader) {}

  async react(event: RecordedEvent): Promise<JobRequest[]> {
    const ticketId = event.data.ticketId as string;
    switch (event.type) {
      case 'TicketCreated':
        return [issueJob(ticketId)];
      case 'CommentAdded':
      case 'ForgejoIssueLinked':
        return owedJobs(ticketId, await this.stateOf(ticketId));
      case 'TicketReopened':
        // a reopen from Forgejo is already there
        return event.data.reopenedBy === 'customer' ? [reopenJob(ticketId, event.revision)] : [];
      case 'ForgejoSyncRetryRequested':
        return owedJobs(ticketId, await this.stateOf(ticketId), true);
      default:
        return [];
    }
  }

  private stateOf(ticketId: string): Promise<TicketState> {
    return this.tickets.state(ticketId);
  }
}
