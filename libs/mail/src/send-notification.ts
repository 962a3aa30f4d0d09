import type { CommandBus } from '@nestjs/cqrs';
import type { Job } from 'bull';
import type { PinoLogger } from 'nestjs-pino';
import type { RecordedEvent } from '../../event-store/src/index.js';
import { causedBy, RecordNotification, type LoadedState } from '../../ticket-commands/src/index.js';
import type { Mailer } from './mailer.js';
import type { OutgoingEmail } from './ticket-resolved.email.js';

export interface NotificationSender {
  mailer: Mailer;
  commands: CommandBus;
  logger: PinoLogger;
}

/**
 * The end of every notification job: send the email, then record NotificationSent for the event that called for
 * it. A failed send throws (Bull tries again with backoff); a crash between the send and the record can send it
 * twice, never zero times. `what` names the email in the logs ("resolved email", "reply email"). `ticket` is the
 * job's own read of the ticket: the record decides on it rather than reading the ticket a second time.
 */
export async function sendNotification(
  { mailer, commands, logger }: NotificationSender,
  { job, ticketId, ticket, cause, email, what }: { job: Job; ticketId: string; ticket: LoadedState; cause: RecordedEvent; email: OutgoingEmail; what: string },
): Promise<'sent' | 'logged'> {
  const eventId = cause.id;
  const attempt = job.attemptsMade + 1;
  try {
    await mailer.send(email);
  } catch (error) {
    const failure = mailer.describe(error);
    const fields = { ticketId, eventId, attempt, ...failure };
    if (attempt >= (job.opts.attempts ?? 1)) logger.error(fields, `${what} not sent: giving up`);
    else logger.warn(fields, `${what} not sent: will retry`);
    throw new Error(`email not sent: ${failure.reason}`);
  }
  const data = { notificationFor: eventId, to: email.to, now: new Date().toISOString() };
  await commands.execute(new RecordNotification(ticketId, data, causedBy(cause, ticketId), { waitForReadModels: false, loaded: ticket }));
  logger.info({ ticketId, eventId, attempt, sent: mailer.sends }, `${what} done`);
  return mailer.sends ? 'sent' : 'logged';
}
