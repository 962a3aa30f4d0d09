import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { SLUG_PATTERN } from '../../../repos/src/index.js';
import { ListTicketsDto } from '../../../tickets/src/read-tickets/list-tickets.dto.js';

/** `limit` and `cursor` as for GET /tickets, plus the admin's filters. */
export class AdminListTicketsDto extends ListTicketsDto {
  @ApiPropertyOptional({ enum: ['open', 'closed'] })
  @IsOptional()
  @IsIn(['open', 'closed'])
  status?: 'open' | 'closed';

  @ApiPropertyOptional({ description: "a repo's slug", example: 'support-desk' })
  @IsOptional()
  @Matches(SLUG_PATTERN, { message: 'repo must be a repo slug' })
  @IsString()
  repo?: string;
}
