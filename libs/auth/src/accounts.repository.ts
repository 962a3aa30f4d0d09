import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { inTransaction } from '../../database/src/index.js';
import type { AuthenticatedUser, Role } from './authenticated-user.js';

export interface Account extends AuthenticatedUser {
  passwordHash: string;
  createdAt: Date;
}

interface AccountRow {
  id: string;
  email: string;
  role: Role;
  password_hash: string;
  created_at: Date;
}

const toAccount = (row: AccountRow): Account => ({
  id: row.id,
  email: row.email,
  role: row.role,
  passwordHash: row.password_hash,
  createdAt: row.created_at,
});

/**
 * The `accounts` table. Emails are looked up by `email_key`, the lower-cased address (see migration 0002). No Nest
 * here (auth.module.ts provides it over PG_POOL): a script makes one over its own pool.
 */
export class AccountsRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** The new account, or null when the email is taken (case-insensitively), also when a concurrent insert won. */
  async create(email: string, passwordHash: string, role: Role): Promise<Account | null> {
    const { rows } = await this.pool.query<AccountRow>(
      `INSERT INTO accounts (id, email, password_hash, role) VALUES ($1, $2, $3, $4)
       ON CONFLICT (email_key) DO NOTHING
       RETURNING id, email, role, password_hash, created_at`,
      [randomUUID(), email, passwordHash, role],
    );
    return rows[0] ? toAccount(rows[0]) : null;
  }

  async findByEmail(email: string): Promise<Account | null> {
    const { rows } = await this.pool.query<AccountRow>(
      'SELECT id, email, role, password_hash, created_at FROM accounts WHERE email_key = lower($1)',
      [email],
    );
    return rows[0] ? toAccount(rows[0]) : null;
  }

  async findById(id: string): Promise<Account | null> {
    const { rows } = await this.pool.query<AccountRow>(
      'SELECT id, email, role, password_hash, created_at FROM accounts WHERE id = $1',
      [id],
    );
    return rows[0] ? toAccount(rows[0]) : null;
  }

  /**
   * Makes `email` an account with `role` whose password satisfies `matches`: creates it, or (under a row lock, so
   * concurrent starts serialise) replaces its role and, when `matches` says the stored one differs, its password
   * hash with `newHash()`. Returns what changed.
   */
  async upsert(
    email: string,
    role: Role,
    matches: (storedHash: string) => Promise<boolean>,
    newHash: () => Promise<string>,
  ): Promise<{ account: AuthenticatedUser; created: boolean; passwordChanged: boolean; roleChanged: boolean }> {
    const hash = await newHash();
    return inTransaction(this.pool, async (client) => {
      const inserted = await client.query<AccountRow>(
        `INSERT INTO accounts (id, email, password_hash, role) VALUES ($1, $2, $3, $4)
         ON CONFLICT (email_key) DO NOTHING
         RETURNING id, email, role, password_hash, created_at`,
        [randomUUID(), email, hash, role],
      );
      if (inserted.rows[0]) {
        const { id, email: stored } = inserted.rows[0];
        return { account: { id, email: stored, role }, created: true, passwordChanged: true, roleChanged: true };
      }
      const { rows } = await client.query<AccountRow>(
        'SELECT id, email, role, password_hash, created_at FROM accounts WHERE email_key = lower($1) FOR UPDATE',
        [email],
      );
      const existing = toAccount(rows[0]);
      const passwordChanged = !(await matches(existing.passwordHash));
      const roleChanged = existing.role !== role;
      if (passwordChanged || roleChanged) {
        await client.query('UPDATE accounts SET password_hash = $2, role = $3 WHERE id = $1', [
          existing.id,
          passwordChanged ? hash : existing.passwordHash,
          role,
        ]);
      }
      return { account: { id: existing.id, email: existing.email, role }, created: false, passwordChanged, roleChanged };
    });
  }
}
