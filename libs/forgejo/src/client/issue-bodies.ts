/*
 * What reaches Forgejo: the customer's text first, byte for byte, a blank line, a footer naming the customer,
 * then a hidden marker (an HTML comment, invisible in Forgejo's rendering) that lets a retry find what an
 * earlier, unclear attempt created.
 */
export const issueMarker = (ticketId: string) => `<!-- ticket-bridge:ticket:${ticketId} -->`;
export const commentMarker = (commentId: string) => `<!-- ticket-bridge:comment:${commentId} -->`;
/** One per reopen: the ticket and the revision of its TicketReopened event. */
export const reopenMarker = (ticketId: string, revision: number) => `<!-- ticket-bridge:reopen:${ticketId}:${revision} -->`;

export function issueBody(description: string, customerEmail: string, ticketId: string): string {
  return `${description}\n\nSubmitted by ${customerEmail} through the support desk\n\n${issueMarker(ticketId)}`;
}

export function commentBody(body: string, authorEmail: string, commentId: string): string {
  return `${body}\n\nComment by ${authorEmail} through the support desk\n\n${commentMarker(commentId)}`;
}

export function reopenBody(customerEmail: string, ticketId: string, revision: number): string {
  return `The customer reopened this ticket.\n\nReopened by ${customerEmail} through the support desk\n\n${reopenMarker(ticketId, revision)}`;
}

/**
 * Whether `body` carries `marker` where the service puts it: at the very end, after a blank line (Forgejo may
 * add trailing whitespace or turn newlines into CRLF). A marker anywhere else is the customer's text, never ours.
 */
export function carriesMarker(body: string | null | undefined, marker: string): boolean {
  if (typeof body !== 'string') return false;
  const trimmed = body.replace(/\s+$/, '');
  if (!trimmed.endsWith(marker)) return false;
  return /\r?\n\r?\n$/.test(trimmed.slice(0, trimmed.length - marker.length));
}
