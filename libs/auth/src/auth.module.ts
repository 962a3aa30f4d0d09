import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type pg from 'pg';
import { PG_POOL } from '../../database/src/index.js';
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
    // plain classes (the pure side of the lib): built over the app's pool
    { provide: AccountsRepository, inject: [PG_POOL], useFactory: (pool: pg.Pool) => new AccountsRepository(pool) },
    { provide: TokenService, inject: [PG_POOL], useFactory: (pool: pg.Pool) => new TokenService(pool) },
    AccountsService,
    RequestAuthenticator,
    AuthRateLimitGuard,
    AdminBootstrap,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AccountsRepository, AccountsService, TokenService, RequestAuthenticator],
})
export class AuthModule {}
