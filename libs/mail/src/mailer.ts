import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { PinoLogger } from 'nestjs-pino';
import { CONFIG, type Config } from '../../config/src/index.js';
import { describeSendError, type SendFailure } from './send-failure.js';
import type { OutgoingEmail } from './ticket-resolved.email.js';

/**
 * Sends email over SMTP_URL with nodemailer; with SMTP_URL unset, writes each email (recipient, subject, text) to
 * the log at info instead. A failed send throws (the job is retried with backoff).
 */
@Injectable()
export class Mailer implements OnApplicationShutdown {
  private readonly transport: Transporter | null;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('Mailer');
    this.transport = config.smtpUrl
      ? createTransport({
          url: config.smtpUrl,
          // a dead server fails the attempt in seconds, and the job retries later
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 30_000,
        })
      : null;
  }

  /** True when mail really goes out (SMTP_URL set). */
  get sends(): boolean {
    return this.transport !== null;
  }

  async send(email: OutgoingEmail): Promise<void> {
    if (!this.transport) {
      this.logger.info({ mail: { to: email.to, subject: email.subject, text: email.text } }, 'email not sent (SMTP_URL is unset): written to the log');
      return;
    }
    // nodemailer refuses header injection itself; the builder has already stripped control characters
    await this.transport.sendMail({
      from: email.from,
      to: email.to,
      subject: email.subject,
      text: email.text,
      html: email.html,
      ...(email.messageId ? { messageId: email.messageId } : {}),
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  }

  describe(error: unknown): SendFailure {
    return describeSendError(error, this.config.smtpUrl);
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
