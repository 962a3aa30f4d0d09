import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccountsRepository } from './accounts.repository.js';
import { AccountsService } from './accounts.service.js';
import { AdminBootstrap } from './admin-bootstrap.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthRateLimitGuard } from './auth-rate-limit.guard.js';
import { TokenService } from './tokens.js';

/** Accounts, login, bearer tokens and the global auth guard. Needs CONFIG and PG_POOL (global modules). */
@Module({
  controllers: [AuthController],
  providers: [
    AccountsRepository,
    AccountsService,
    TokenService,
    AuthRateLimitGuard,
    AdminBootstrap,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AccountsRepository, AccountsService, TokenService],
})
export class AuthModule {}
