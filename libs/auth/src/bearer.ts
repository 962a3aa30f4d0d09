import { UnauthorizedException } from '@nestjs/common';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** The token of an `Authorization: Bearer <token>` header, or 401 saying what is wrong with the header. */
export function bearerTokenOf(header: string | undefined): string {
  if (!header) throw new UnauthorizedException('Missing bearer token (Authorization: Bearer <token>)');
  const token = BEARER.exec(header)?.[1];
  if (!token) throw new UnauthorizedException('Authorization header must be "Bearer <token>"');
  return token;
}
