import { Inject, Injectable, NotFoundException, UnauthorizedException, type RawBodyRequest } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { FixedWindowRateLimiter } from '../../../auth/src/index.js';
import { tooManyRequests } from '../../../auth/src/nest.js';
import { CONFIG, type Config } from '../../../config/src/index.js';
import { ReposRepository, SLUG_PATTERN } from '../../../repos/src/index.js';
import { signatureHeader, signedBytesOf } from './forgejo-delivery.js';
import { originalContentType } from './raw-webhook-body.js';
import { isValidSignature } from './signature.js';

/**
 * The door of POST /webhooks/forgejo/:slug, before anything reads a delivery, in this order: 404 for an unknown
 * slug; the signature (the HMAC of the exact bytes, constant-time, before any parsing); a bad one counts against
 * the slug's budget for bad deliveries (429 past WEBHOOK_RATE_LIMIT, else 401), a good one against the budget of
 * real deliveries (429 past it), so junk never uses up Forgejo's. Called first thing by the route rather than as a
 * guard: guards run before the pipes, and a slug with a NUL in it gets their 400 like every other path parameter.
 */
@Injectable()
export class SignedDeliveries {
  private readonly limiter: FixedWindowRateLimiter;
  private readonly badLimiter: FixedWindowRateLimiter;

  constructor(
    @Inject(CONFIG) config: Config,
    private readonly repos: ReposRepository,
  ) {
    this.limiter = new FixedWindowRateLimiter(config.webhookRateLimit, 60_000);
    this.badLimiter = new FixedWindowRateLimiter(config.webhookRateLimit, 60_000);
  }

  /** The bytes the repo's secret signed (the body, or a form's `payload`), or the answer that stops the delivery. */
  async verify(slug: string, request: RawBodyRequest<FastifyRequest>): Promise<Buffer> {
    // anything that can be no repo's slug never reaches SQL
    const secret = SLUG_PATTERN.test(slug) ? await this.repos.webhookSecretOf(slug) : null;
    if (secret === null) throw new NotFoundException(`repo "${slug}" not found`);

    const signed = signedBytesOf(request.rawBody ?? Buffer.alloc(0), originalContentType(request));
    if (signed === null || !isValidSignature(signed, secret, signatureHeader(request.headers))) {
      const bad = this.badLimiter.hit(slug);
      if (!bad.allowed) throw tooManyRequests(bad.retryAfterSeconds);
      throw new UnauthorizedException('Missing or invalid webhook signature (X-Forgejo-Signature)');
    }
    const rate = this.limiter.hit(slug);
    if (!rate.allowed) throw tooManyRequests(rate.retryAfterSeconds);
    return signed;
  }
}
