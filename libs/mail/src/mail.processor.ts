import { Inject } from '@nestjs/common';
import { Process, Processor } from '@nestjs/bull';
import { CommandBus } from '@nestjs/cqrs';
import type { Job } from 'bull';
import { PinoLogger } from 'nestjs-pino';
import { REOPEN_LINK_KEY, reopenLinkExpiry, ServiceKeys, signReopenLink } from '../../auth/src/reopen-links/index.js';
import { CONFIG, type Config } from '../../config/src/index.js';
import type { RecordedEvent } from '../../event-store/src/index.js';
import { MAIL_QUEUE, QUEUE_CONCURRENCY } from '../../queues/src/index.js';
import { TicketReader } from '../../ticket-commands/src/index.js';
import { Mailer } from './mailer.js';
import { sendNotification, type NotificationSender } from './send-notification.js';
import { TICKET_RESOLVED_MAIL, type TicketResolvedJobData } from './ticket-resolved-mail.saga.js';
import { ticketResolvedEmail } from './ticket-resolved.email.js';

/**
 * Sends the "resolved" email of one IssueClosed event, then records NotificationSent. Idempotent: it asks the
 * ticket's decision state first and does nothing when the notification is already recorded. It reads the state
 * and the two events it needs (TicketCreated and the IssueClosed at the job's revision) in one read, never every
 * comment body. A failed send throws, and Bull tries again with backoff; a crash between the send and the record
 * can send it twice (at least once, never zero).
 */
@Processor(MAIL_QUEUE)
export class MailProcessor {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly tickets: TicketReader,
    private readonly commands: CommandBus,
    private readonly mailer: Mailer,
    private readonly logger: PinoLogger,
    private readonly keys: ServiceKeys,
  ) {
    logger.setContext('Mail');
  }

  private get sender(): NotificationSender {
    return { mailer: this.mailer, commands: this.commands, logger: this.logger };
  }

  // the mail queue's loops, for its reply emails too (see QUEUE_CONCURRENCY)
  @Process({ name: TICKET_RESOLVED_MAIL, concurrency: QUEUE_CONCURRENCY[MAIL_QUEUE] })
  async ticketResolved(job: Job<TicketResolvedJobData>): Promise<string> {
    const { ticketId, eventId, revision } = job.data;
    const isIt = (event: RecordedEvent) => event.id === eventId && event.type === 'IssueClosed';
    const read = await this.tickets.read(ticketId, () => (typeof revision === 'number' ? [0, revision] : [0]));
    const { state, created, events } = read;
    const atRevision = typeof revision === 'number' ? events.get(revision) : undefined;
    // a job queued before jobs carried the event's revision looks for it, a page at a time
    const closed = atRevision && isIt(atRevision) ? atRevision : await this.tickets.find(ticketId, isIt);
    if (!closed || !created) {
      this.logger.warn({ ticketId, eventId }, 'mail job for an event that is not in the ticket stream: nothing to send');
      return 'no such event';
    }
    if (state.status !== 'none' && state.notified.has(eventId)) return 'already sent';

    const ticket = created.data;
    const reopenUrl = await this.reopenUrl(ticketId, closed);
    const email = ticketResolvedEmail({ ticketId, title: ticket.title, to: ticket.customerEmail, from: this.config.mailFrom, eventId, reopenUrl });
    return sendNotification(this.sender, { job, ticketId, ticket: read, cause: closed, email, what: 'resolved email' });
  }

  /** The link that reopens the ticket from this close: the same for every attempt at this email. */
  private async reopenUrl(ticketId: string, closed: RecordedEvent): Promise<string> {
    const claims = { closeRevision: closed.revision, expiresAt: reopenLinkExpiry(closed.data.closedAt as string) };
    const token = signReopenLink(await this.keys.key(REOPEN_LINK_KEY), ticketId, claims);
    return `${this.config.baseUrl}/tickets/${ticketId}/reopen?token=${token}`;
  }
}
