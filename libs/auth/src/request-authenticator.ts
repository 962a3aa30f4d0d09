import { ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { CONFIG, type Config } from '../../config/src/index.js';
import type { AuthenticatedUser } from './authenticated-user.js';
import { bearerTokenOf } from './bearer.js';
import { clearedSessionCookie, sessionCookie, sessionTokenOf } from './session-cookie.js';
import { TokenService } from './tokens.js';

/** Who is calling, with the token that says so and how it came: the `Authorization` header or the session cookie. */
export interface Session {
  user: AuthenticatedUser;
  token: string;
  via: 'bearer' | 'cookie';
}

export interface RequestLike {
  method: string;
  headers: IncomingHttpHeaders;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function crossSiteRefused(origin: string): ForbiddenException {
  return new ForbiddenException(`Cross-site request refused: Origin must be ${origin}`);
}

/** A request that the session cookie would authenticate, that changes something, from a page not of `origin`. */
export function isCrossSiteCookieWrite(request: RequestLike, origin: string): boolean {
  const { authorization, cookie } = request.headers;
  if (authorization !== undefined || SAFE_METHODS.has(request.method.toUpperCase())) return false;
  return sessionTokenOf(cookie) !== undefined && request.headers.origin !== origin;
}

/**
 * Authenticates a request: by its `Authorization: Bearer` header when it has one (as before the web app), else
 * by the session cookie. A browser sends the cookie whoever made the page, so a cookie request that changes
 * something must come from BASE_URL's own origin (403 otherwise); SameSite=Strict is the first wall, this the
 * second. Also writes the session cookie, whose Secure flag follows BASE_URL.
 */
@Injectable()
export class RequestAuthenticator {
  readonly origin: string;
  private readonly secure: boolean;

  constructor(
    private readonly tokens: TokenService,
    @Inject(CONFIG) config: Pick<Config, 'baseUrl'>,
  ) {
    const base = new URL(config.baseUrl);
    this.origin = base.origin;
    this.secure = base.protocol === 'https:';
  }

  async authenticate(request: RequestLike): Promise<Session> {
    const { authorization, cookie } = request.headers;
    const cookieToken = authorization === undefined ? sessionTokenOf(cookie) : undefined;
    if (cookieToken === undefined) {
      const token = bearerTokenOf(authorization);
      return { user: await this.verified(token, 'Invalid or expired token'), token, via: 'bearer' };
    }
    if (isCrossSiteCookieWrite(request, this.origin)) throw crossSiteRefused(this.origin);
    const user = await this.verified(cookieToken, 'Invalid or expired session; sign in again');
    return { user, token: cookieToken, via: 'cookie' };
  }

  /** `Set-Cookie` for a login's token. */
  sessionCookie(token: string): string {
    return sessionCookie(token, this.secure);
  }

  /** `Set-Cookie` that signs the browser out. */
  clearedSessionCookie(): string {
    return clearedSessionCookie(this.secure);
  }

  private async verified(token: string, refusal: string): Promise<AuthenticatedUser> {
    const user = await this.tokens.verify(token);
    if (!user) throw new UnauthorizedException(refusal);
    return user;
  }
}
