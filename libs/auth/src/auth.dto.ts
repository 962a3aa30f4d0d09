import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsNotEmpty, IsString, Length, MaxLength } from 'class-validator';
import { EMAIL_MAX_LENGTH, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './account-limits.js';
import type { Role } from './authenticated-user.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

// class-validator runs a property's decorators bottom-up: the basic check (a string) is reported first
export class RegisterDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: EMAIL_MAX_LENGTH, description: 'Trimmed; compared case-insensitively' })
  @Transform(trim)
  // local domains (user@localhost) are fine: self-hosted installs mail inside their own network
  @IsEmail({ require_tld: false })
  @MaxLength(EMAIL_MAX_LENGTH)
  @IsString()
  email: string;

  @ApiProperty({ example: 'correct horse battery staple', minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH })
  @Length(PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH)
  @IsString()
  password: string;
}

/** Any string is accepted as the email (an unknown one is just bad credentials); lengths are bounded. */
export class LoginDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: EMAIL_MAX_LENGTH })
  @Transform(trim)
  @MaxLength(EMAIL_MAX_LENGTH)
  @IsNotEmpty()
  @IsString()
  email: string;

  @ApiProperty({ example: 'correct horse battery staple', maxLength: PASSWORD_MAX_LENGTH })
  @MaxLength(PASSWORD_MAX_LENGTH)
  @IsNotEmpty()
  @IsString()
  password: string;
}

export class AccountDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'ada@example.com' })
  email: string;

  @ApiProperty({ enum: ['customer', 'admin'] })
  role: Role;
}

export class TokenDto {
  @ApiProperty({ description: 'Send as "Authorization: Bearer {token}"' })
  token: string;

  @ApiProperty({ format: 'date-time' })
  expiresAt: string;
}
