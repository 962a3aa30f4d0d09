import type { AuthenticatedUser } from './authenticated-user.js';

interface Entry {
  user: AuthenticatedUser;
  until: number; // epoch ms: the earlier of "cached + ttl" and the token's own expiry
}

/**
 * Verified tokens, by token hash, for a short while: an authenticated request costs no query while its token is
 * cached. Bounded in size (the oldest entry goes first) and in age; an entry never outlives its token's expiry.
 * The flip side: a token expired or revoked in the database stays usable in a process for at most `ttlMs`.
 */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly ttlMs = 60_000,
    readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(tokenHash: string): AuthenticatedUser | undefined {
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    return entry.user;
  }

  set(tokenHash: string, user: AuthenticatedUser, expiresAt: Date): void {
    const until = Math.min(this.now() + this.ttlMs, expiresAt.getTime());
    if (until <= this.now() || this.maxEntries <= 0) return;
    this.entries.delete(tokenHash);
    while (this.entries.size >= this.maxEntries) {
      // Map iterates in insertion order: the first key is the oldest entry
      this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(tokenHash, { user, until });
  }

  delete(tokenHash: string): void {
    this.entries.delete(tokenHash);
  }

  /** Drops every entry of one account (its tokens were revoked here). */
  deleteAccount(accountId: string): void {
    for (const [key, entry] of this.entries) if (entry.user.id === accountId) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
