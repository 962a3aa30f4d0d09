import { ForbiddenException, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ADMIN_ONLY, IS_PUBLIC, type AuthenticatedUser } from './authenticated-user.js';
import { bearerTokenOf } from './bearer.js';
import { RequestAuthenticator, type Session } from './request-authenticator.js';
import type { TokenService } from './tokens.js';

export type AuthenticatedRequest = FastifyRequest & { user?: AuthenticatedUser; session?: Session };

/** The account an `Authorization: Bearer <token>` header stands for, or 401 saying what is wrong with it. */
export async function userOfBearer(header: string | undefined, tokens: Pick<TokenService, 'verify'>): Promise<AuthenticatedUser> {
  const user = await tokens.verify(bearerTokenOf(header));
  if (!user) throw new UnauthorizedException('Invalid or expired token');
  return user;
}

/** 403 unless the session is an admin's. */
export function requireAdmin(user: AuthenticatedUser): void {
  if (user.role !== 'admin') throw new ForbiddenException('This route is for admins');
}

/**
 * Global guard (APP_GUARD): every route needs a bearer token or the session cookie (401 otherwise; see
 * RequestAuthenticator) unless marked @Public(); a route or controller marked @AdminOnly() also needs role admin
 * (403 otherwise). Sets `request.user` for @CurrentUser(), and `request.session`.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: RequestAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const session = await this.authenticator.authenticate(request);
    request.session = session;
    request.user = session.user;

    if (this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, targets)) requireAdmin(session.user);
    return true;
  }
}
