import { ConflictException, Injectable, UnauthorizedException } from '@nestjs/common';
import { AccountsRepository } from './accounts.repository.js';
import type { AuthenticatedUser } from './authenticated-user.js';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './password.js';
import { TokenService, type IssuedToken } from './tokens.js';

export const BAD_CREDENTIALS = 'Invalid email or password';

/** Register and login. Emails arrive trimmed (see the DTOs) and compare case-insensitively. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly tokens: TokenService,
  ) {}

  /** A new customer; 409 when the email is taken, also when a concurrent registration of it won the race. */
  async register(email: string, password: string): Promise<AuthenticatedUser> {
    // the pre-check only saves a scrypt for the common case; the unique key decides
    if (await this.accounts.findByEmail(email)) throw emailTaken();
    const account = await this.accounts.create(email, await hashPassword(password), 'customer');
    if (!account) throw emailTaken();
    return { id: account.id, email: account.email, role: account.role };
  }

  /** A bearer token; 401 with one message whether the email is unknown or the password wrong, in the same time. */
  async login(email: string, password: string): Promise<IssuedToken> {
    const account = await this.accounts.findByEmail(email);
    const ok = await verifyPassword(password, account?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!account || !ok) throw new UnauthorizedException(BAD_CREDENTIALS);
    return this.tokens.issue(account.id);
  }
}

function emailTaken(): ConflictException {
  return new ConflictException('email is already registered');
}
