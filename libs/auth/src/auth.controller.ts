import { Body, Controller, Get, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AccountsService } from './accounts.service.js';
import { AccountDto, LoginDto, RegisterDto, TokenDto } from './auth.dto.js';
import { AuthRateLimitGuard } from './auth-rate-limit.guard.js';
import { CurrentUser, Public, type AuthenticatedUser } from './authenticated-user.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly accounts: AccountsService) {}

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
  @ApiOkResponse({ type: TokenDto })
  @ApiUnauthorizedResponse({ description: 'Bad credentials' })
  @ApiTooManyRequestsResponse({ description: 'Too many register/login requests from this address' })
  login(@Body() body: LoginDto): Promise<TokenDto> {
    return this.accounts.login(body.email, body.password);
  }

  /** Who the bearer token belongs to. */
  @Get('me')
  @ApiBearerAuth()
  @ApiOkResponse({ type: AccountDto })
  me(@CurrentUser() user: AuthenticatedUser): AccountDto {
    return { id: user.id, email: user.email, role: user.role };
  }
}
