/** Pure: the email that tells a customer their ticket was resolved. No I/O. */

export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** the same for every attempt at one notification, so that a receiver can drop a duplicate */
  messageId?: string;
}

// C0 and C1 control characters (CR, LF, TAB, NUL…), DEL, and the Unicode line and paragraph separators
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** One line of plain text: every control character becomes a space, runs of spaces one space, ends trimmed. */
export function singleLine(text: string): string {
  return text.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
}

/** An address with nothing that could end a header or start another: no control characters, no whitespace. */
export function cleanAddress(address: string): string {
  return address.replace(CONTROL, '').replace(/\s+/g, '');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface TicketResolvedInput {
  ticketId: string;
  title: string;
  /** the ticket owner's email */
  to: string;
  /** MAIL_FROM */
  from: string;
  /** the IssueClosed event the email is for */
  eventId: string;
  /** the link that reopens the ticket from this close ({BASE_URL}/tickets/{id}/reopen?token=…) */
  reopenUrl?: string;
}

export function ticketResolvedEmail({ ticketId, title, to, from, eventId, reopenUrl }: TicketResolvedInput): OutgoingEmail {
  const cleanTitle = singleLine(title) || '(untitled)';
  const sender = cleanAddress(from);
  const domain = /@([A-Za-z0-9.-]+)$/.exec(sender)?.[1] ?? 'localhost';
  const text = [
    'Hello,',
    '',
    `Your support ticket "${cleanTitle}" has been resolved: the team has closed it.`,
    '',
    `Ticket: ${ticketId}`,
    '',
    ...(reopenUrl ? ['If the problem is still there, reopen the ticket here (no sign-in needed):', reopenUrl] : ['If the problem is still there, please file a new ticket.']),
    '',
    '-- The support team',
    '',
  ].join('\n');
  const html = [
    '<!doctype html>',
    '<html><body>',
    '<p>Hello,</p>',
    `<p>Your support ticket <strong>${escapeHtml(cleanTitle)}</strong> has been resolved: the team has closed it.</p>`,
    `<p>Ticket: <code>${escapeHtml(ticketId)}</code></p>`,
    reopenUrl
      ? `<p>If the problem is still there, <a href="${escapeHtml(reopenUrl)}">reopen the ticket</a> (no sign-in needed).</p>`
      : '<p>If the problem is still there, please file a new ticket.</p>',
    '<p>-- The support team</p>',
    '</body></html>',
    '',
  ].join('\n');
  return {
    from: sender,
    to: cleanAddress(to),
    subject: `Resolved: ${cleanTitle}`,
    text,
    html,
    messageId: `<resolved.${cleanAddress(eventId)}@${domain}>`,
  };
}
