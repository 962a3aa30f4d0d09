import { ApiProperty } from '@nestjs/swagger';

export class WebhookResultDto {
  @ApiProperty({
    example: 'closed',
    description:
      'what the delivery did, by the inbound table: closed / already_closed, reopened / already_open, reply / reply_edited / reply_removed / unchanged; not_found: no ticket of this repo is linked to the issue; ignored: nothing for a ticket (a pull request, another event, or a repository that holds none of the slug’s tickets)',
  })
  result: string;
}
