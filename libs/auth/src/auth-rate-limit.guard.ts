import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CONFIG, type Config } from '../../config/src/index.js';
import { FixedWindowRateLimiter } from './rate-limiter.js';
import { tooManyRequests } from './too-many-requests.js';

/**
 * Register and login together: at most AUTH_RATE_LIMIT requests per minute from one client address
 * (`request.ip`), counted before validation, so malformed attempts count too. In memory, per process.
 */
@Injectable()
export class AuthRateLimitGuard implements CanActivate {
  readonly limiter: FixedWindowRateLimiter;

  constructor(@Inject(CONFIG) config: Config) {
    this.limiter = new FixedWindowRateLimiter(config.authRateLimit, 60_000);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const decision = this.limiter.hit(request.ip ?? 'unknown');
    if (!decision.allowed) throw tooManyRequests(decision.retryAfterSeconds);
    return true;
  }
}
