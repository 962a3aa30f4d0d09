/*
 * What reaches Forgejo: the customer's text first, byte for byte, a blank line, a footer naming the customer,
 * then a hidden marker (an HTML comment, invisible in Forgejo's rendering) that lets a retry find what an
 * earlier, unclear attempt created.
 */
export const issueMarker = (ticketId: string) => `<!-- ticket-bridge:ticket:${ticketId} -->`;
export const commentMarker = (commentId: string) => `<!-- ticket-bridge:comment:${commentId} -->`;

export function issueBody(description: string, customerEmail: string, ticketId: string): string {
  return `${description}\n\nSubmitted by ${customerEmail} through the support desk\n\n${issueMarker(ticketId)}`;
}

export function commentBody(body: string, authorEmail: string, commentId: string): string {
  return `${body}\n\nComment by ${authorEmail} through the support desk\n\n${commentMarker(commentId)}`;
}
