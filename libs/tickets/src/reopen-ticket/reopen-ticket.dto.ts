import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** No body for the signed-in customer; the reopen link's form posts `token` (application/x-www-form-urlencoded). */
export class ReopenTicketDto {
  @ApiPropertyOptional({ description: "the reopen link's token, when posted from its page (no sign-in then)" })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  token?: string;
}
