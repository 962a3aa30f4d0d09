import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class CreateTicketDto {
  @ApiProperty({ description: 'slug of the repo (GET /repos)', example: 'support-desk' })
  @IsString()
  @Length(1, 63)
  repo: string;

  @ApiProperty({ minLength: 1, maxLength: 255 })
  @IsString()
  @Length(1, 255)
  title: string;

  @ApiProperty({ minLength: 1, maxLength: 65535 })
  @IsString()
  @Length(1, 65535)
  description: string;
}
