import { Injectable } from '@nestjs/common';
import type { RecordedEvent } from '../../event-store/src/index.js';
import { MAIL_QUEUE } from '../../queues/src/index.js';
import type { JobRequest, Saga } from '../../sagas/src/index.js';

export const TEAM_REPLY_MAIL = 'team-reply';

export interface TeamReplyJobData {
  [key: string]: unknown;
  ticketId: string;
  /** the TeamReplyAdded event's id, and its revision in the ticket's stream (the job reads that one event) */
  eventId: string;
  revision: number;
}

/** One mail job per TeamReplyAdded event: the job id comes from the event, so a repeat of the event adds nothing. */
export function teamReplyJob(ticketId: string, eventId: string, revision: number): JobRequest {
  const data: TeamReplyJobData = { ticketId, eventId, revision };
  return { queue: MAIL_QUEUE, name: TEAM_REPLY_MAIL, jobId: `mail:${eventId}`, data };
}

/** TeamReplyAdded → a mail job bringing the reply to the ticket's owner (retries: the queue's default backoff). */
@Injectable()
export class TeamReplyMailSaga implements Saga {
  readonly name = 'team-reply-mail';

  react(event: RecordedEvent): JobRequest[] {
    if (event.type !== 'TeamReplyAdded' || typeof event.data.ticketId !== 'string') return [];
    return [teamReplyJob(event.data.ticketId, event.id, event.revision)];
  }
}
