import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';

export type Role = 'customer' | 'admin';

/** Who is calling: set on the request by the auth guard from the bearer token. */
export interface AuthenticatedUser {
  id: string;
  email: string;
  role: Role;
}

export const IS_PUBLIC = 'auth:public';
export const ADMIN_ONLY = 'auth:admin-only';

/** The route needs no token (register, login, health, docs, webhooks). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The route is for admins; a customer gets 403. On a controller, it covers every route of it. */
export const AdminOnly = () => SetMetadata(ADMIN_ONLY, true);

export const CurrentUser = createParamDecorator(
  (_: unknown, context: ExecutionContext): AuthenticatedUser => context.switchToHttp().getRequest().user,
);
