import { Module, type Type } from '@nestjs/common';
import type { Saga } from '../../sagas/src/index.js';
import { ServiceKeys } from '../../auth/src/reopen-links/index.js';
import { MailProcessor } from './mail.processor.js';
import { Mailer } from './mailer.js';
import { TeamReplyMailProcessor } from './team-reply-mail.processor.js';
import { TeamReplyMailSaga } from './team-reply-mail.saga.js';
import { TicketResolvedMailSaga } from './ticket-resolved-mail.saga.js';

/** The sagas of this library, for the worker's SagasModule. */
export const mailSagas: Type<Saga>[] = [TicketResolvedMailSaga, TeamReplyMailSaga];

/**
 * The worker side of emails: the IssueClosed saga's mail jobs, sent over SMTP (or to the log). Needs CONFIG,
 * the ticket commands and reader, the logger and the MAIL_QUEUE (all registered by the worker).
 */
@Module({
  providers: [Mailer, MailProcessor, TeamReplyMailProcessor, ServiceKeys],
  exports: [Mailer],
})
export class MailModule {}
