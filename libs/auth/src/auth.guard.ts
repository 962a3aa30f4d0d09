import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ADMIN_ONLY, IS_PUBLIC, type AuthenticatedUser } from './authenticated-user.js';
import { TokenService } from './tokens.js';

export type AuthenticatedRequest = FastifyRequest & { user?: AuthenticatedUser };

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * Global guard (APP_GUARD): every route needs `Authorization: Bearer <token>` (401 otherwise) unless marked
 * @Public(); a route or controller marked @AdminOnly() also needs role admin (403 otherwise).
 * Sets `request.user` for @CurrentUser().
 */
/** The account an `Authorization: Bearer <token>` header stands for, or 401 saying what is wrong with it. */
export async function userOfBearer(header: string | undefined, tokens: Pick<TokenService, 'verify'>): Promise<AuthenticatedUser> {
  if (!header) throw new UnauthorizedException('Missing bearer token (Authorization: Bearer <token>)');
  const token = BEARER.exec(header)?.[1];
  if (!token) throw new UnauthorizedException('Authorization header must be "Bearer <token>"');
  const user = await tokens.verify(token);
  if (!user) throw new UnauthorizedException('Invalid or expired token');
  return user;
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const user = await userOfBearer(request.headers.authorization, this.tokens);
    request.user = user;

    if (this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, targets) && user.role !== 'admin') {
      throw new ForbiddenException('This route is for admins');
    }
    return true;
  }
}
