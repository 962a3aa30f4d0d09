/** The facts of a ticket's life, in its stream `ticket-{id}`. Past tense; never edited once written. */
export type TicketEvent =
  | {
      type: 'TicketCreated';
      data: {
        ticketId: string;
        repo: string;
        title: string;
        description: string;
        customerId: string;
        customerEmail: string;
        createdAt: string;
      };
    }
  | {
      type: 'CommentAdded';
      data: { ticketId: string; commentId: string; body: string; authorId: string; authorEmail: string; createdAt: string };
    }
  /** `owner`/`name`: the Forgejo repository the issue lives in (absent in links recorded before they were kept) */
  | { type: 'ForgejoIssueLinked'; data: { ticketId: string; issueNumber: number; owner?: string; name?: string; linkedAt: string } }
  | { type: 'ForgejoCommentLinked'; data: { ticketId: string; commentId: string; forgejoCommentId: number; linkedAt: string } }
  | {
      type: 'IssueClosed';
      data: { ticketId: string; issueNumber: number; closedBy: string | null; deliveryId: string | null; closedAt: string };
    }
  /** Forgejo sync gave up (a permanent error, or the last attempt): the ticket stays valid. */
  | { type: 'ForgejoIssueSyncFailed'; data: { ticketId: string; reason: string; attempts: number; failedAt: string } }
  | {
      type: 'ForgejoCommentSyncFailed';
      data: { ticketId: string; commentId: string; reason: string; attempts: number; failedAt: string };
    }
  /** An admin asked for the failed syncs to be tried again. */
  | { type: 'ForgejoSyncRetryRequested'; data: { ticketId: string; requestedAt: string } }
  /** The customer was told by email; `notificationFor` is the id of the event that called for it. */
  | { type: 'NotificationSent'; data: { ticketId: string; notificationFor: string; to: string; sentAt: string } }
  /** A team member's Forgejo comment that the repo's replyMode makes a reply to the customer. */
  | {
      type: 'TeamReplyAdded';
      data: { ticketId: string; replyId: string; forgejoCommentId: number; body: string; authorName: string; createdAt: string };
    }
  | { type: 'TeamReplyEdited'; data: { ticketId: string; replyId: string; forgejoCommentId: number; body: string; editedAt: string } }
  | { type: 'TeamReplyRemoved'; data: { ticketId: string; replyId: string; forgejoCommentId: number; removedAt: string } }
  /** Open again, by its customer or from Forgejo; `closeRevision` is the revision of the IssueClosed it undoes. */
  | {
      type: 'TicketReopened';
      data: { ticketId: string; reopenedBy: 'customer' | 'forgejo'; closeRevision: number; reopenedAt: string };
    }
  /** A customer's reopen reached Forgejo: the issue is open again and says so in a comment. */
  | { type: 'ForgejoIssueReopened'; data: { ticketId: string; reopenRevision: number; forgejoCommentId: number; reopenedAt: string } };

export type TicketEventType = TicketEvent['type'];

export const TICKET_EVENT_TYPES: ReadonlySet<string> = new Set<TicketEventType>([
  'TicketCreated',
  'CommentAdded',
  'ForgejoIssueLinked',
  'ForgejoCommentLinked',
  'IssueClosed',
  'ForgejoIssueSyncFailed',
  'ForgejoCommentSyncFailed',
  'ForgejoSyncRetryRequested',
  'NotificationSent',
  'TeamReplyAdded',
  'TeamReplyEdited',
  'TeamReplyRemoved',
  'TicketReopened',
  'ForgejoIssueReopened',
]);

export const ticketStream = (ticketId: string) => `ticket-${ticketId}`;
