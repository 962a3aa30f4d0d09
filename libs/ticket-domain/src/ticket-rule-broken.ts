/** A command that a ticket's rules refuse; `reason` says which rule (HTTP maps it to 404 or 409). */
export class TicketRuleBroken extends Error {
  constructor(
    readonly reason: 'not_found' | 'already_exists' | 'unknown_comment' | 'issue_mismatch' | 'comment_limit' | 'not_closed' | 'stale_link',
    message: string,
  ) {
    super(message);
    this.name = 'TicketRuleBroken';
  }
}
