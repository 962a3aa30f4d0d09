import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export const DEFAULT_COMMENT_PAGE_SIZE = 50;

export class ListCommentsDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: DEFAULT_COMMENT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page, or commentsNextCursor of the ticket' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}
