import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { CONFIG, type Config } from '../../config/src/index.js';
import { AccountsRepository } from './accounts.repository.js';
import { hashPassword, verifyPassword } from './password.js';
import { TokenService } from './tokens.js';

/**
 * With ADMIN_EMAIL and ADMIN_PASSWORD both set, that admin account exists after start: created, or given role
 * admin and that password. Concurrent starts (API and worker) serialise on the row. A changed password revokes
 * the account's earlier tokens.
 */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly accounts: AccountsRepository,
    private readonly tokens: TokenService,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('AdminBootstrap');
  }

  async onApplicationBootstrap(): Promise<void> {
    const { adminEmail, adminPassword } = this.config;
    if (!adminEmail || !adminPassword) return;
    const result = await this.accounts.upsert(
      adminEmail,
      'admin',
      (stored) => verifyPassword(adminPassword, stored),
      () => hashPassword(adminPassword),
    );
    if (result.passwordChanged && !result.created) await this.tokens.revokeAll(result.account.id);
    const what = result.created
      ? 'created'
      : result.passwordChanged || result.roleChanged
        ? `updated (${[result.passwordChanged && 'password', result.roleChanged && 'role'].filter(Boolean).join(', ')})`
        : 'unchanged';
    this.logger.info({ accountId: result.account.id, email: result.account.email }, `admin account ${what}`);
  }
}
