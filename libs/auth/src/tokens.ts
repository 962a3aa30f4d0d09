import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { AuthenticatedUser, Role } from './authenticated-user.js';
import { TokenCache } from './token-cache.js';

export const TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
const TOKEN_BYTES = 32;
/** 32 random bytes in base64url: exactly 43 characters of [A-Za-z0-9_-]. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface IssuedToken {
  token: string;
  expiresAt: string;
}

/** What is stored and looked up: the sha256 of the token, never the token itself. */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Bearer tokens: random, stored only as a hash with an expiry, verified through a short in-memory cache. No Nest
 * here (auth.module.ts provides it over PG_POOL): a script makes one over its own pool.
 */
export class TokenService {
  readonly cache = new TokenCache();

  constructor(private readonly pool: pg.Pool) {}

  async issue(accountId: string): Promise<IssuedToken> {
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const expiresAt = new Date(Date.now() + TOKEN_TTL_MS);
    await this.pool.query('INSERT INTO access_tokens (token_hash, account_id, expires_at) VALUES ($1, $2, $3)', [
      hashToken(token),
      accountId,
      expiresAt,
    ]);
    // housekeeping: this account's expired tokens go at its next login, so the table does not grow without end
    await this.pool
      .query('DELETE FROM access_tokens WHERE account_id = $1 AND expires_at < now()', [accountId])
      .catch(() => undefined);
    return { token, expiresAt: expiresAt.toISOString() };
  }

  /** The token's account when the token exists and has not expired; null otherwise. */
  async verify(token: string): Promise<AuthenticatedUser | null> {
    if (!TOKEN_SHAPE.test(token)) return null;
    const hash = hashToken(token);
    const key = hash.toString('base64url');
    const cached = this.cache.get(key);
    if (cached) return cached;
    const { rows } = await this.pool.query<{ id: string; email: string; role: Role; expires_at: Date }>(
      `SELECT a.id, a.email, a.role, t.expires_at
         FROM access_tokens t JOIN accounts a ON a.id = t.account_id
        WHERE t.token_hash = $1 AND t.expires_at > now()`,
      [hash],
    );
    const row = rows[0];
    if (!row) return null;
    const user: AuthenticatedUser = { id: row.id, email: row.email, role: row.role };
    this.cache.set(key, user, row.expires_at);
    return user;
  }

  /**
   * Revokes one token (sign-out): gone from the database and from this process's cache at once; other API
   * processes may honour it for up to the cache ttl, as with revokeAll.
   */
  async revoke(token: string): Promise<void> {
    const hash = hashToken(token);
    await this.pool.query('DELETE FROM access_tokens WHERE token_hash = $1', [hash]);
    this.cache.delete(hash.toString('base64url'));
  }

  /** Revokes every token of an account (its password changed). Other processes may honour them for up to the cache ttl. */
  async revokeAll(accountId: string): Promise<void> {
    await this.pool.query('DELETE FROM access_tokens WHERE account_id = $1', [accountId]);
    this.cache.deleteAccount(accountId);
  }
}
