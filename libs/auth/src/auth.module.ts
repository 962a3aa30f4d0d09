import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccountsRepository } from './accounts.repository.js';
import { AccountsService } from './accounts.service.js';
import { AdminBootstrap } from './admin-bootstrap.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthRateLimitGuard } from './auth-rate-limit.guard.js';
import { RequestAuthenticator } from './request-authenticator.js';
import { TokenService } from './tokens.js';

/** Accounts, login and logout, bearer tokens and session cookies, and the global auth guard. Needs CONFIG and PG_POOL (global modules). */
@Module({
  controllers: [AuthController],
  providers: [
    AccountsRepository,
    AccountsService,
    TokenService,
    RequestAuthenticator,
    AuthRateLimitGuard,
    AdminBootstrap,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AccountsRepository, AccountsService, TokenService, RequestAuthenticator],
})
export class AuthModule {}
