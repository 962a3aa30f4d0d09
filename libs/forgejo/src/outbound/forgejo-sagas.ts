import { Injectable } from '@nestjs/common';
import type { RecordedEvent } from '../../../event-store/src/index.js';
import type { JobRequest, Saga } from '../../../sagas/src/index.js';
import { TicketReader } from '../../../ticket-commands/src/index.js';
import type { TicketState } from '../../../ticket-domain/src/index.js';
import { issueJob, owedJobs, reopenJob } from './forgejo-jobs.js';

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
