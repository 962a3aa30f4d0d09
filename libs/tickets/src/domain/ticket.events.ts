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
  | { type: 'ForgejoIssueLinked'; data: { ticketId: string; issueNumber: number; linkedAt: string } }
  | { type: 'ForgejoCommentLinked'; data: { ticketId: string; commentId: string; forgejoCommentId: number; linkedAt: string } }
  | {
      type: 'IssueClosed';
      data: { ticketId: string; issueNumber: number; closedBy: string | null; deliveryId: string | null; closedAt: string };
    };

export type TicketEventType = TicketEvent['type'];

export const TICKET_EVENT_TYPES: ReadonlySet<string> = new Set<TicketEventType>([
  'TicketCreated',
  'CommentAdded',
  'ForgejoIssueLinked',
  'ForgejoCommentLinked',
  'IssueClosed',
]);

export const ticketStream = (ticketId: string) => `ticket-${ticketId}`;
