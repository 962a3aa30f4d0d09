import { setTimeout as sleep } from 'node:timers/promises';
import { BadRequestException, Inject, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { PinoLogger } from 'nestjs-pino';
import { FixedWindowRateLimiter, tooManyRequests } from '../../../auth/src/index.js';
import { CONFIG, type Config } from '../../../config/src/index.js';
import { TicketByIssueQuery } from '../../../read-models/src/index.js';
import { ReposRepository } from '../../../repos/src/index.js';
import { CloseTicket, commandMetadata } from '../../../ticket-commands/src/index.js';
import { TicketRuleBroken } from '../../../ticket-domain/src/index.js';
import { closeRequestOf, deliveryIdOf, eventKindOf, signatureHeader, signedBytesOf, type DeliveryRepository, type Headers } from './forgejo-delivery.js';
import { isValidSignature } from './signature.js';

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
const READ_MODEL_POLL_MS = 25;
// what a repo slug can be (repos_slug_format): anything else is no repo, and never reaches SQL
const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * POST /webhooks/forgejo/:slug, in this order: 404 unknown slug; the signature (the HMAC of the exact bytes,
 * constant-time, before any parsing); a bad one counts against the slug's budget for bad deliveries (429 past
 * WEBHOOK_RATE_LIMIT, else 401), a good one against the budget of real deliveries (429 past it), so junk never
 * uses up Forgejo's; 400 for a signed body that is not JSON. Then only `issues`/`closed` acts: CloseTicket on the
 * slug's ticket linked to that repository and issue, answered once the read model shows the ticket closed.
 */
@Injectable()
export class ForgejoWebhooks {
  readonly limiter: FixedWindowRateLimiter;
  readonly badLimiter: FixedWindowRateLimiter;

  constructor(
    @Inject(CONFIG) config: Config,
    private readonly repos: ReposRepository,
    private readonly tickets: TicketByIssueQuery,
    private readonly commands: CommandBus,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('ForgejoWebhooks');
    this.limiter = new FixedWindowRateLimiter(config.webhookRateLimit, 60_000);
    this.badLimiter = new FixedWindowRateLimiter(config.webhookRateLimit, 60_000);
  }

  async receive(delivery: Delivery): Promise<{ result: WebhookResult }> {
    const { slug, headers } = delivery;
    const secret = SLUG.test(slug) ? await this.repos.webhookSecretOf(slug) : null;
    if (secret === null) throw new NotFoundException(`repo "${slug}" not found`);

    const signed = signedBytesOf(delivery.rawBody, delivery.contentType);
    if (signed === null || !isValidSignature(signed, secret, signatureHeader(headers))) {
      const bad = this.badLimiter.hit(slug);
      if (!bad.allowed) throw tooManyRequests(bad.retryAfterSeconds);
      throw new UnauthorizedException('Missing or invalid webhook signature (X-Forgejo-Signature)');
    }
    const rate = this.limiter.hit(slug);
    if (!rate.allowed) throw tooManyRequests(rate.retryAfterSeconds);
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

    const result = await this.close(slug, request.repository, request.issueNumber, request.closedBy, deliveryId, delivery.requestId);
    this.logger.info({ slug, deliveryId, issueNumber: request.issueNumber, closedBy: request.closedBy, result }, 'webhook: issue closed in Forgejo');
    return { result };
  }

  private async close(
    slug: string,
    repository: DeliveryRepository,
    issueNumber: number,
    closedBy: string | null,
    deliveryId: string | null,
    requestId: string,
  ): Promise<WebhookResult> {
    const ticket = await this.tickets.find(slug, repository, issueNumber);
    // an org-wide hook's delivery from a repository none of the slug's tickets live in: not ours
    if (!ticket) return (await this.tickets.isKnown(slug, repository)) ? 'not_found' : 'ignored';
    // the read model already shows it closed: nothing to decide, nothing to wait for
    if (ticket.status === 'closed') return 'already_closed';
    const metadata = commandMetadata({
      actor: closedBy === null ? { type: 'forgejo' } : { type: 'forgejo', login: closedBy },
      correlationId: deliveryId ?? requestId,
      causationId: deliveryId ?? undefined,
      via: 'webhook',
    });
    try {
      const data = { issueNumber, closedBy, deliveryId, now: new Date().toISOString() };
      const outcome = await this.commands.execute(new CloseTicket(ticket.id, data, metadata));
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
    // another delivery (or the link's own look at the issue) closed it a moment ago: answer once the read model shows it
    await this.untilReadModelShowsClosed(ticket.id);
    return 'already_closed';
  }

  /** Waits (bounded) on the ticket's row, not on its history: a ticket's stream can be long. */
  private async untilReadModelShowsClosed(ticketId: string): Promise<void> {
    const deadline = Date.now() + READ_YOUR_WRITES_TIMEOUT_MS;
    while ((await this.tickets.statusOf(ticketId)) !== 'closed') {
      if (Date.now() >= deadline) {
        this.logger.warn('read models lag behind: answering before they show the close');
        return;
      }
      await sleep(READ_MODEL_POLL_MS);
    }
  }
}
