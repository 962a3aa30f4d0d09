import { Command } from '@nestjs/cqrs';
import type { AuthenticatedUser } from '../../../auth/src/index.js';
import type { EventMetadata } from '../../../event-store/src/index.js';
import type { TicketWithComments } from '../../../read-models/src/index.js';

export class CreateTicketCommand extends Command<TicketWithComments> {
  constructor(
    readonly customer: AuthenticatedUser,
    readonly input: { repo: string; title: string; description: string },
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}
