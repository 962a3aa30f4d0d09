import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, Length, Matches, ValidateIf } from 'class-validator';
import { FORGEJO_NAME_PATTERN, REPLY_MODES, SLUG_PATTERN, type ReplyMode } from './repo-names.js';

// Matches and Length accept strings only, so each field gets one message that also covers "not a string".
const IsSlug = () =>
  Matches(SLUG_PATTERN, {
    message: '$property must be a string of 1 to 63 lowercase letters, digits or "-", starting with a letter or digit',
  });

const IsForgejoName = () =>
  Matches(FORGEJO_NAME_PATTERN, {
    message: '$property must be a string of 1 to 100 letters, digits, "_", "." or "-", other than "." and ".."',
  });

const IsWebhookSecret = () => Length(1, 1024, { message: '$property must be a string of 1 to 1024 characters' });

/** Optional in a PATCH: absent keeps the value; present (null included) must be valid. */
const IfPresent = () => ValidateIf((_object, value) => value !== undefined);

const IsReplyMode = () => IsIn(REPLY_MODES, { message: '$property must be "marked" or "all"' });
const REPLY_MODE_DESCRIPTION =
  'Which Forgejo comments reach the customer as replies: "marked" (the first line starts with /reply) or "all" (every comment but /internal ones)';

export class CreateRepoDto {
  @ApiProperty({ description: 'Identifies the repo in tickets and in the webhook URL', pattern: SLUG_PATTERN.source, example: 'billing' })
  @IsSlug()
  slug: string;

  @ApiProperty({ description: 'Forgejo owner (user or organisation)', minLength: 1, maxLength: 100, pattern: FORGEJO_NAME_PATTERN.source, example: 'acme' })
  @IsForgejoName()
  owner: string;

  @ApiProperty({ description: 'Forgejo repository name', minLength: 1, maxLength: 100, pattern: FORGEJO_NAME_PATTERN.source, example: 'billing-service' })
  @IsForgejoName()
  name: string;

  @ApiProperty({
    description: 'Secret of the Forgejo webhook (HMAC-SHA256 key); write-only, never returned',
    minLength: 1,
    maxLength: 1024,
    writeOnly: true,
  })
  @IsWebhookSecret()
  webhookSecret: string;

  @ApiPropertyOptional({ description: REPLY_MODE_DESCRIPTION, enum: REPLY_MODES, default: 'marked' })
  @IfPresent()
  @IsReplyMode()
  replyMode?: ReplyMode;
}

export class UpdateRepoDto {
  @ApiPropertyOptional({ description: 'Forgejo owner (user or organisation)', minLength: 1, maxLength: 100, pattern: FORGEJO_NAME_PATTERN.source })
  @IfPresent()
  @IsForgejoName()
  owner?: string;

  @ApiPropertyOptional({ description: 'Forgejo repository name', minLength: 1, maxLength: 100, pattern: FORGEJO_NAME_PATTERN.source })
  @IfPresent()
  @IsForgejoName()
  name?: string;

  @ApiPropertyOptional({
    description: 'A new webhook secret; it replaces the old one for good. Write-only, never returned',
    minLength: 1,
    maxLength: 1024,
    writeOnly: true,
  })
  @IfPresent()
  @IsWebhookSecret()
  webhookSecret?: string;

  @ApiPropertyOptional({ description: REPLY_MODE_DESCRIPTION, enum: REPLY_MODES })
  @IfPresent()
  @IsReplyMode()
  replyMode?: ReplyMode;
}

export class AdminRepoDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'billing' })
  slug: string;

  @ApiProperty({ example: 'acme' })
  owner: string;

  @ApiProperty({ example: 'billing-service' })
  name: string;

  @ApiProperty({ description: REPLY_MODE_DESCRIPTION, enum: REPLY_MODES })
  replyMode: ReplyMode;

  @ApiProperty({ description: 'The URL to configure in the Forgejo webhook', example: 'https://tickets.example.com/webhooks/forgejo/billing' })
  webhookUrl: string;

  @ApiProperty({ description: 'Whether a webhook secret is set (the secret itself is never returned)' })
  hasWebhookSecret: boolean;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: Date;
}

export class RepoSlugDto {
  @ApiProperty({ example: 'billing' })
  slug: string;
}
