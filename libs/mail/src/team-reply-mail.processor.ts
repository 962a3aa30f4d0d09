import { Inject } from '@nestjs/common';
import { Process, Processor } from '@nestjs/bull';
import { CommandBus } from '@nestjs/cqrs';
import type { Job } from 'bull';
import { PinoLogger } from 'nestjs-pino';
import { CONFIG, type Config } from '../../config/src/index.js';
import { MAIL_QUEUE } from '../../queues/src/index.js';
import { TicketReader } from '../../ticket-commands/src/index.js';
import { Mailer } from './mailer.js';
import { sendNotification, type NotificationSender } from './send-notification.js';
import { TEAM_REPLY_MAIL, type TeamReplyJobData } from './team-reply-mail.saga.js';
import { teamReplyEmail } from './team-reply.email.js';

/**
 * Sends the email of one TeamReplyAdded event, then records NotificationSent: as the resolved email, at least
 * once and, short of a crash between the send and the record, once. It reads the state and the two events it
 * needs in one read.
 */
@Processor(MAIL_QUEUE)
export class TeamReplyMailProcessor {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly tickets: TicketReader,
    private readonly commands: CommandBus,
    private readonly mailer: Mailer,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('Mail');
  }

  private get sender(): NotificationSender {
    return { mailer: this.mailer, commands: this.commands, logger: this.logger };
  }

  // run by the mail queue's loops, which MailProcessor starts (see QUEUE_CONCURRENCY)
  @Process({ name: TEAM_REPLY_MAIL, concurrency: 0 })
  async teamReply(job: Job<TeamReplyJobData>): Promise<string> {
    const { ticketId, eventId, revision } = job.data;
    const read = await this.tickets.read(ticketId, () => (typeof revision === 'number' ? [0, revision] : [0]));
    const { state, created, events } = read;
    const added = typeof revision === 'number' ? events.get(revision) : undefined;
    if (!created || !added || added.id !== eventId || added.type !== 'TeamReplyAdded') {
      this.logger.warn({ ticketId, eventId }, 'mail job for an event that is not in the ticket stream: nothing to send');
      return 'no such event';
    }
    if (state.status === 'none') return 'no such event';
    if (state.notified.has(eventId)) return 'already sent';
    const reply = added.data as { forgejoCommentId: number; body: string; authorName: string };
    // taken back before the email went out: the customer never hears of it
    if (state.replies.get(reply.forgejoCommentId)?.removed) return 'reply removed';

    const { title, customerEmail } = created.data;
    const email = teamReplyEmail({
      ticketId, title, to: customerEmail, from: this.config.mailFrom, baseUrl: this.config.baseUrl, body: reply.body, authorName: reply.authorName, eventId,
    });
    return sendNotification(this.sender, { job, ticketId, ticket: read, cause: added, email, what: 'reply email' });
  }
}
