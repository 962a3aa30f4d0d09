import { Injectable } from '@nestjs/common';
import type { RecordedEvent } from '../../event-store/src/index.js';
import { MAIL_QUEUE } from '../../queues/src/index.js';
import type { JobRequest, Saga } from '../../sagas/src/index.js';

export const TICKET_RESOLVED_MAIL = 'ticket-resolved';

export interface TicketResolvedJobData {
  [key: string]: unknown;
  ticketId: string;
  /** the IssueClosed event's id */
  eventId: string;
  /** its revision in the ticket's stream, so the job reads that one event (absent in jobs queued before it was kept) */
  revision?: number;
}

/** One mail job per IssueClosed event: the job id is derived from the event, so a repeat of the event adds nothing. */
export function ticketResolvedJob(ticketId: string, eventId: string, revision?: number): JobRequest {
  const data: TicketResolvedJobData = revision === undefined ? { ticketId, eventId } : { ticketId, eventId, revision };
  return { queue: MAIL_QUEUE, name: TICKET_RESOLVED_MAIL, jobId: `mail:${eventId}`, data };
}

/** IssueClosed → a mail job telling the ticket's owner that it was resolved (retries: the queue's default backoff). */
@Injectable()
export class TicketResolvedMailSaga implements Saga {
  readonly name = 'ticket-resolved-mail';

  react(event: RecordedEvent): JobRequest[] {
    if (event.type !== 'IssueClosed' || typeof event.data.ticketId !== 'string') return [];
    return [ticketResolvedJob(event.data.ticketId, event.id, event.revision)];
  }
}
