import { parseCookies } from './cookies.js';
import { TOKEN_TTL_MS } from './tokens.js';

/** The browser session: the same token the login returns, in a cookie scripts cannot read. */
export const SESSION_COOKIE = 'tb_session';

const attributes = (maxAgeSeconds: number, secure: boolean) =>
  `Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;

/** `Set-Cookie` for a fresh login: lives as long as the token. */
export function sessionCookie(token: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; ${attributes(TOKEN_TTL_MS / 1000, secure)}`;
}

/** `Set-Cookie` that removes the session cookie (sign-out). */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; ${attributes(0, secure)}`;
}

/** The session token a `Cookie` header carries, if any. */
export function sessionTokenOf(cookieHeader: string | undefined): string | undefined {
  return parseCookies(cookieHeader).get(SESSION_COOKIE) || undefined;
}
