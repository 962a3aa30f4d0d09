import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ADMIN_ONLY, IS_PUBLIC, type AuthenticatedUser } from './authenticated-user.js';

/** The route needs no token (register, login, health, docs, webhooks). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The route is for admins; a customer gets 403. On a controller, it covers every route of it. */
export const AdminOnly = () => SetMetadata(ADMIN_ONLY, true);

export const CurrentUser = createParamDecorator(
  (_: unknown, context: ExecutionContext): AuthenticatedUser => context.switchToHttp().getRequest().user,
);
