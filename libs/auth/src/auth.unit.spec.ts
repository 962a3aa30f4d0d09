import { describe, expect, it } from '@jest/globals';
import { ForbiddenException, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard, type AuthenticatedRequest } from './auth.guard.js';
import { AdminOnly, Public } from './auth.decorators.js';
import type { AuthenticatedUser } from './authenticated-user.js';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './password.js';
import { FixedWindowRateLimiter } from './rate-limiter.js';
import { tooManyRequests } from './too-many-requests.js';
import { RequestAuthenticator } from './request-authenticator.js';
import { TokenCache } from './token-cache.js';
import type { TokenService } from './tokens.js';

describe('password hashing', () => {
  it('verifies the right password only, with a fresh salt each time', async () => {
    const [a, b] = await Promise.all([hashPassword('s3cret password'), hashPassword('s3cret password')]);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('s3cret password', a)).toBe(true);
    expect(await verifyPassword('s3cret passwore', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('refuses malformed hashes and the dummy hash without throwing', async () => {
    for (const bad of ['', 'plain', 'scrypt$1$2$3', 'bcrypt$16384$8$1$abc$def', 'scrypt$x$8$1$abc$def', 'scrypt$16384$8$1$$'])
      expect(await verifyPassword('anything', bad)).toBe(false);
    expect(await verifyPassword('anything', DUMMY_PASSWORD_HASH)).toBe(false);
  });
});

describe('TokenCache', () => {
  const user: AuthenticatedUser = { id: 'u1', email: 'u1@example.com', role: 'customer' };

  it('keeps an entry for the ttl at most, and never past the token expiry', () => {
    let now = 1_000_000;
    const cache = new TokenCache(60_000, 10, () => now);
    cache.set('long', user, new Date(now + 3_600_000));
    cache.set('short', user, new Date(now + 5_000));
    cache.set('expired', user, new Date(now - 1));
    expect(cache.get('expired')).toBeUndefined();
    now += 4_999;
    expect(cache.get('short')).toBe(user);
    now += 1;
    expect(cache.get('short')).toBeUndefined();
    now += 54_999;
    expect(cache.get('long')).toBe(user);
    now += 1;
    expect(cache.get('long')).toBeUndefined();
  });

  it('is bounded, dropping the oldest entry first', () => {
    const cache = new TokenCache(60_000, 3);
    const later = new Date(Date.now() + 3_600_000);
    for (const key of ['a', 'b', 'c', 'd']) cache.set(key, user, later);
    expect(cache.size).toBe(3);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('d')).toBe(user);
    cache.deleteAccount('u1');
    expect(cache.size).toBe(0);
  });
});

describe('FixedWindowRateLimiter', () => {
  it('allows `limit` hits per key and window, then says when to retry', () => {
    let now = 0;
    const limiter = new FixedWindowRateLimiter(2, 60_000, () => now);
    expect(limiter.hit('a')).toEqual({ allowed: true });
    now = 10_000;
    expect(limiter.hit('a')).toEqual({ allowed: true });
    expect(limiter.hit('b')).toEqual({ allowed: true });
    now = 20_500;
    expect(limiter.hit('a')).toEqual({ allowed: false, retryAfterSeconds: 40 });
    now = 60_000;
    expect(limiter.hit('a')).toEqual({ allowed: true });
  });

  it('builds a 429 whose response carries retryAfter for the filter', () => {
    const error = tooManyRequests(12);
    expect(error.getStatus()).toBe(429);
    expect(error.getResponse()).toEqual(expect.objectContaining({ retryAfter: 12, message: expect.any(String) }));
  });
});

describe('AuthGuard', () => {
  const customer: AuthenticatedUser = { id: 'c', email: 'c@example.com', role: 'customer' };
  const admin: AuthenticatedUser = { id: 'a', email: 'a@example.com', role: 'admin' };
  const tokens = { verify: async (token: string) => ({ customer, admin })[token] ?? null } as unknown as TokenService;
  const guard = new AuthGuard(new Reflector(), new RequestAuthenticator(tokens, { baseUrl: 'http://tickets.test' }));

  class Open {
    @Public() route() {}
  }
  class Mixed {
    plain() {}
    @AdminOnly() admin() {}
  }
  @AdminOnly()
  class AllAdmin {
    route() {}
  }

  function context(cls: new () => object, method: string, authorization?: string, extra: { method?: string; headers?: Record<string, string> } = {}) {
    const request = { method: extra.method ?? 'GET', headers: { ...(authorization ? { authorization } : {}), ...extra.headers } } as unknown as AuthenticatedRequest;
    const handler = (cls.prototype as Record<string, () => void>)[method];
    const ctx = {
      getHandler: () => handler,
      getClass: () => cls,
      getType: () => 'http',
      switchToHttp: () => ({ getRequest: () => request }),
    } as unknown as ExecutionContext;
    return { ctx, request };
  }

  it('lets @Public() routes through without a token', async () => {
    expect(await guard.canActivate(context(Open, 'route').ctx)).toBe(true);
  });

  it('is 401 without a valid bearer token', async () => {
    await expect(guard.canActivate(context(Mixed, 'plain').ctx)).rejects.toBeInstanceOf(UnauthorizedException);
    await expect(guard.canActivate(context(Mixed, 'plain', 'Bearer nope').ctx)).rejects.toBeInstanceOf(UnauthorizedException);
    await expect(guard.canActivate(context(Mixed, 'plain', 'customer').ctx)).rejects.toBeInstanceOf(UnauthorizedException);
  });

  it('sets request.user for a valid token', async () => {
    const { ctx, request } = context(Mixed, 'plain', 'Bearer customer');
    expect(await guard.canActivate(ctx)).toBe(true);
    expect(request.user).toEqual(customer);
  });

  it('takes the session cookie when there is no Authorization header', async () => {
    const { ctx, request } = context(Mixed, 'plain', undefined, { headers: { cookie: 'other=1; tb_session=customer' } });
    expect(await guard.canActivate(ctx)).toBe(true);
    expect(request.session).toEqual({ user: customer, token: 'customer', via: 'cookie' });
    await expect(guard.canActivate(context(Mixed, 'plain', undefined, { headers: { cookie: 'tb_session=nope' } }).ctx)).rejects.toBeInstanceOf(UnauthorizedException);
    // the header wins: a bad bearer token is not rescued by a good cookie
    await expect(guard.canActivate(context(Mixed, 'plain', 'Bearer nope', { headers: { cookie: 'tb_session=customer' } }).ctx)).rejects.toBeInstanceOf(UnauthorizedException);
  });

  it("refuses a cookie request that changes something unless it comes from BASE_URL's origin; bearer requests are not checked", async () => {
    const post = (headers: Record<string, string>, authorization?: string) => guard.canActivate(context(Mixed, 'plain', authorization, { method: 'POST', headers }).ctx);
    await expect(post({ cookie: 'tb_session=customer' })).rejects.toBeInstanceOf(ForbiddenException);
    await expect(post({ cookie: 'tb_session=customer', origin: 'http://evil.test' })).rejects.toThrow('Cross-site request refused: Origin must be http://tickets.test');
    expect(await post({ cookie: 'tb_session=customer', origin: 'http://tickets.test' })).toBe(true);
    expect(await post({}, 'Bearer customer')).toBe(true);
    expect(await guard.canActivate(context(Mixed, 'plain', undefined, { method: 'HEAD', headers: { cookie: 'tb_session=customer' } }).ctx)).toBe(true);
  });

  it('is 403 for a customer on @AdminOnly() handlers and controllers, and lets admins in', async () => {
    await expect(guard.canActivate(context(Mixed, 'admin', 'Bearer customer').ctx)).rejects.toBeInstanceOf(ForbiddenException);
    await expect(guard.canActivate(context(AllAdmin, 'route', 'Bearer customer').ctx)).rejects.toBeInstanceOf(ForbiddenException);
    expect(await guard.canActivate(context(Mixed, 'admin', 'Bearer admin').ctx)).toBe(true);
    expect(await guard.canActivate(context(AllAdmin, 'route', 'Bearer admin').ctx)).toBe(true);
  });
});
