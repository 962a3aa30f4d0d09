import { ApiProperty } from '@nestjs/swagger';

export class WebhookResultDto {
  @ApiProperty({
    enum: ['closed', 'already_closed', 'not_found', 'ignored'],
    description:
      'closed: this delivery closed the ticket; already_closed: it was closed before; not_found: no ticket of this repo is linked to the issue; ignored: not an issues/closed event, or from a repository that holds none of the slug’s tickets',
  })
  result: 'closed' | 'already_closed' | 'not_found' | 'ignored';
}
