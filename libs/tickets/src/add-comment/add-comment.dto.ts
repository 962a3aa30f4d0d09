import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class AddCommentDto {
  @ApiProperty({ minLength: 1, maxLength: 65535 })
  @IsString()
  @Length(1, 65535)
  body: string;
}
