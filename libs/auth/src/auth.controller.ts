import { Body, Controller, Get, HttpCode, HttpStatus, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCookieAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AccountsService } from './accounts.service.js';
import { AccountDto, LoginDto, RegisterDto, TokenDto } from './auth.dto.js';
import { AuthRateLimitGuard } from './auth-rate-limit.guard.js';
import type { AuthenticatedRequest } from './auth.guard.js';
import { CurrentUser, Public } from './auth.decorators.js';
import type { AuthenticatedUser } from './authenticated-user.js';
import { RequestAuthenticator } from './request-authenticator.js';
import { SESSION_COOKIE } from './session-cookie.js';
import { TokenService } from './tokens.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly tokens: TokenService,
    private readonly authenticator: RequestAuthenticator,
  ) {}

  @Post('register')
  @Public()
  @UseGuards(AuthRateLimitGuard)
  @ApiCreatedResponse({ type: AccountDto })
  @ApiConflictResponse({ description: 'The email is taken (case-insensitively)' })
  @ApiTooManyRequestsResponse({ description: 'Too many register/login requests from this address' })
  register(@Body() body: RegisterDto): Promise<AccountDto> {
    return this.accounts.register(body.email, body.password);
  }

  @Post('login')
  @Public()
  @UseGuards(AuthRateLimitGuard)
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({
    type: TokenDto,
    description: `Also sets the ${SESSION_COOKIE} cookie (HttpOnly, SameSite=Strict) holding the same token, for the web app`,
  })
  @ApiUnauthorizedResponse({ description: 'Bad credentials' })
  @ApiTooManyRequestsResponse({ description: 'Too many register/login requests from this address' })
  async login(@Body() body: LoginDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<TokenDto> {
    const issued = await this.accounts.login(body.email, body.password);
    reply.header('set-cookie', this.authenticator.sessionCookie(issued.token));
    return issued;
  }

  /** Signs out: the token of this request (bearer or session cookie) stops working, and the cookie is cleared. */
  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiBearerAuth()
  @ApiCookieAuth()
  @ApiNoContentResponse({ description: 'The token is revoked and the session cookie cleared' })
  @ApiUnauthorizedResponse({ description: 'Not signed in' })
  @ApiForbiddenResponse({ description: 'Session cookie sent from another origin than BASE_URL' })
  async logout(@Req() request: AuthenticatedRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    await this.tokens.revoke(request.session!.token);
    reply.header('set-cookie', this.authenticator.clearedSessionCookie());
  }

  /** Who the bearer token (or the session cookie) belongs to. */
  @Get('me')
  @ApiBearerAuth()
  @ApiCookieAuth()
  @ApiOkResponse({ type: AccountDto })
  @ApiUnauthorizedResponse({ description: 'Not signed in' })
  me(@CurrentUser() user: AuthenticatedUser): AccountDto {
    return { id: user.id, email: user.email, role: user.role };
  }
}
