import { Command } from '@nestjs/cqrs';
import type { AuthenticatedUser } from '../../../auth/src/index.js';
import type { EventMetadata } from '../../../event-store/src/index.js';
import type { CommentView } from '../../../read-models/src/index.js';

export class AddCommentCommand extends Command<CommentView> {
  constructor(
    readonly author: AuthenticatedUser,
    readonly ticketId: string,
    readonly body: string,
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}
