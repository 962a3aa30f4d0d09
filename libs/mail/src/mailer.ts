import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { PinoLogger } from 'nestjs-pino';
import { CONFIG, type Config } from '../../config/src/index.js';
import type { OutgoingEmail } from './ticket-resolved.email.js';

/** Why a send failed, without anything secret (the SMTP URL's credentials never appear). */
export interface SendFailure {
  reason: string;
  code?: string;
  responseCode?: number;
  command?: string;
}

export function describeSendError(error: unknown, smtpUrl: string | null): SendFailure {
  const e = (error ?? {}) as { message?: unknown; code?: unknown; responseCode?: unknown; command?: unknown };
  let reason = typeof e.message === 'string' ? e.message : String(error);
  for (const secret of credentialsOf(smtpUrl)) reason = reason.split(secret).join('[redacted]');
  return {
    reason: reason.slice(0, 500),
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.responseCode === 'number' ? { responseCode: e.responseCode } : {}),
    ...(typeof e.command === 'string' ? { command: e.command } : {}),
  };
}

function credentialsOf(smtpUrl: string | null): string[] {
  if (!smtpUrl) return [];
  try {
    const url = new URL(smtpUrl);
    return [url.password, decodeURIComponent(url.password)].filter((s) => s.length > 0);
  } catch {
    return [];
  }
}

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
