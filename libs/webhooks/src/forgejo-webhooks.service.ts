import { randomUUID } from 'node:crypto';
import { BadRequestException, Inject, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { FixedWindowRateLimiter, tooManyRequests } from '../../auth/src/index.js';
import { CONFIG, type Config } from '../../config/src/index.js';
import { EVENT_STORE, type EventMetadata, type EventStore } from '../../event-store/src/index.js';
import { ProjectionProgress, ProjectionTimeoutError } from '../../projections/src/index.js';
import { ReposRepository } from '../../repos/src/index.js';
import { TicketCommandRunner, TicketRuleBroken, ticketStream } from '../../tickets/src/index.js';
import { closeRequestOf, deliveryIdOf, eventKindOf, signatureHeader, signedBytesOf, type Headers } from './forgejo-delivery.js';
import { isValidSignature } from './signature.js';
import { TicketByIssueQuery } from './ticket-by-issue.query.js';

export type WebhookResult = 'closed' | 'already_closed' | 'not_found' | 'ignored';

export interface Delivery {
  slug: string;
  /** the exact bytes received */
  rawBody: Buffer;
  headers: Headers;
  /** the Content-Type the client sent */
  contentType: string | undefined;
  /** this HTTP request's id: the correlation id when the delivery has no id of its own */
  requestId: string;
}

const READ_YOUR_WRITES_TIMEOUT_MS = 10_000;

/**
 * POST /webhooks/forgejo/:slug, in this order: 404 unknown slug, 429 over WEBHOOK_RATE_LIMIT for the slug, 401
 * unless the signature is the HMAC of the exact bytes (constant-time, before any parsing), 400 for a signed body
 * that is not JSON. Then only `issues`/`closed` acts: CloseTicket on the ticket linked to that repo and issue,
 * answered once the read model shows the ticket closed.
 */
@Injectable()
export class ForgejoWebhooks {
  readonly limiter: FixedWindowRateLimiter;

  constructor(
    @Inject(CONFIG) config: Config,
    private readonly repos: ReposRepository,
    private readonly tickets: TicketByIssueQuery,
    private readonly runner: TicketCommandRunner,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly progress: ProjectionProgress,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('ForgejoWebhooks');
    this.limiter = new FixedWindowRateLimiter(config.webhookRateLimit, 60_000);
  }

  async receive(delivery: Delivery): Promise<{ result: WebhookResult }> {
    const { slug, headers } = delivery;
    const secret = await this.repos.webhookSecretOf(slug);
    if (secret === null) throw new NotFoundException(`repo "${slug}" not found`);
    const rate = this.limiter.hit(slug);
    if (!rate.allowed) throw tooManyRequests(rate.retryAfterSeconds);

    const signed = signedBytesOf(delivery.rawBody, delivery.contentType);
    if (signed === null || !isValidSignature(signed, secret, signatureHeader(headers))) {
      throw new UnauthorizedException('Missing or invalid webhook signature (X-Forgejo-Signature)');
    }
    let payload: unknown;
    try {
      payload = JSON.parse(signed.toString('utf8'));
    } catch {
      throw new BadRequestException('body must be JSON');
    }

    const kind = eventKindOf(headers, payload);
    const request = closeRequestOf(kind, payload);
    const deliveryId = deliveryIdOf(headers);
    if (request.kind === 'invalid') throw new BadRequestException(request.message);
    if (request.kind === 'ignore') {
      this.logger.debug({ slug, deliveryId, event: kind, reason: request.reason }, 'webhook ignored');
      return { result: 'ignored' };
    }

    const { issueNumber, closedBy } = request;
    const result = await this.close(slug, issueNumber, closedBy, deliveryId, delivery.requestId);
    this.logger.info({ slug, deliveryId, issueNumber, closedBy, result }, 'webhook: issue closed in Forgejo');
    return { result };
  }

  private async close(slug: string, issueNumber: number, closedBy: string | null, deliveryId: string | null, requestId: string): Promise<WebhookResult> {
    const ticket = await this.tickets.find(slug, issueNumber);
    if (!ticket) return 'not_found';
    // the read model already shows it closed: nothing to decide, nothing to wait for
    if (ticket.status === 'closed') return 'already_closed';
    const metadata: EventMetadata = {
      actor: closedBy === null ? { type: 'forgejo' } : { type: 'forgejo', login: closedBy },
      correlationId: deliveryId ?? requestId,
      causationId: deliveryId ?? randomUUID(),
    };
    try {
      const outcome = await this.runner.run(
        ticket.id,
        { type: 'CloseTicket', data: { issueNumber, closedBy, deliveryId, now: new Date().toISOString() } },
        metadata,
      );
      // the runner answers once the read models show the event
      if (outcome.events.length > 0) return 'closed';
    } catch (error) {
      // the read model's link and the stream disagree (cannot happen short of a rebuild in flight): not this ticket
      if (error instanceof TicketRuleBroken) {
        this.logger.warn({ slug, issueNumber, ticketId: ticket.id, reason: error.message }, 'webhook: ticket does not match the issue');
        return 'not_found';
      }
      throw error;
    }
    // another delivery closed it a moment ago: answer once the read model shows that close too
    await this.untilReadModelsShowClose(ticket.id);
    return 'already_closed';
  }

  private async untilReadModelsShowClose(ticketId: string): Promise<void> {
    const closed = (await this.store.readStream(ticketStream(ticketId))).find((event) => event.type === 'IssueClosed');
    if (!closed) return;
    try {
      await this.progress.waitFor(closed.position, READ_YOUR_WRITES_TIMEOUT_MS);
    } catch (error) {
      if (!(error instanceof ProjectionTimeoutError)) throw error;
      this.logger.warn('read models lag behind: answering before they show the close');
    }
  }
}
