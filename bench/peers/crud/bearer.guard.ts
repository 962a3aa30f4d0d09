import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { TokenService } from '../../../libs/auth/src/index.js';
import { userOfBearer, type AuthenticatedRequest } from '../../../libs/auth/src/nest.js';

const PUBLIC = 'crud-peer:public';
export const Public = () => SetMetadata(PUBLIC, true);

/** Global guard like the service's: the bearer token hashed and looked up through the service's own TokenService (and its cache). */
@Injectable()
export class BearerGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    request.user = await userOfBearer(request.headers.authorization, this.tokens);
    return true;
  }
}
