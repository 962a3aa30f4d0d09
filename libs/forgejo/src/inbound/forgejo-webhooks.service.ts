import { BadRequestException, Inject, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { FixedWindowRateLimiter, tooManyRequests } from '../../../auth/src/index.js';
import { CONFIG, type Config } from '../../../config/src/index.js';
import { ReposRepository } from '../../../repos/src/index.js';
import { changeOfDelivery, deliveryIdOf, eventKindOf, signatureHeader, signedBytesOf, type Headers } from './forgejo-delivery.js';
import { ForgejoChanges } from './forgejo-changes.js';
import { isValidSignature } from './signature.js';

/** What a delivery did: a row's answer (`closed`, `already_closed`, `reopened`, `reply`…), `not_found` or `ignored`. */
export type WebhookResult = string;

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

// what a repo slug can be (repos_slug_format): anything else is no repo, and never reaches SQL
const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * POST /webhooks/forgejo/:slug, in this order: 404 unknown slug; the signature (the HMAC of the exact bytes,
 * constant-time, before any parsing); a bad one counts against the slug's budget for bad deliveries (429 past
 * WEBHOOK_RATE_LIMIT, else 401), a good one against the budget of real deliveries (429 past it), so junk never
 * uses up Forgejo's; 400 for a signed body that is not JSON. Then the change it tells of goes through the inbound
 * table (forgejo-change.ts) to the slug's ticket linked to that repository and issue (forgejo-changes.ts).
 */
@Injectable()
export class ForgejoWebhooks {
  readonly limiter: FixedWindowRateLimiter;
  readonly badLimiter: FixedWindowRateLimiter;

  constructor(
    @Inject(CONFIG) config: Config,
    private readonly repos: ReposRepository,
    private readonly changes: ForgejoChanges,
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
    const delivered = changeOfDelivery(kind, payload);
    const deliveryId = deliveryIdOf(headers);
    if (delivered.kind === 'invalid') throw new BadRequestException(delivered.message);
    if (delivered.kind === 'ignore') {
      this.logger.debug({ slug, deliveryId, event: kind, reason: delivered.reason }, 'webhook ignored');
      return { result: 'ignored' };
    }
    const { change } = delivered;
    const source = { via: 'webhook' as const, deliveryId, correlationId: deliveryId ?? delivery.requestId, replyMode: await this.repos.replyModeOf(slug) };
    const result = await this.changes.apply(slug, change, source);
    this.logger.info({ slug, deliveryId, event: `${change.kind}/${change.action}`, issueNumber: change.issueNumber, result }, 'webhook applied');
    return { result };
  }
}
