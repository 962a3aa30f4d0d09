export type Role = 'customer' | 'admin';

/** Who is calling: set on the request by the auth guard from the bearer token. */
export interface AuthenticatedUser {
  id: string;
  email: string;
  role: Role;
}

/** The metadata keys of @Public() and @AdminOnly() (auth.decorators.ts), read by the auth guard. */
export const IS_PUBLIC = 'auth:public';
export const ADMIN_ONLY = 'auth:admin-only';
