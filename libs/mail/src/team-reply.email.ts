/** Pure: the email that brings a team reply to the customer. No I/O. */
import { cleanAddress, escapeHtml, singleLine, type OutgoingEmail } from './ticket-resolved.email.js';

export interface TeamReplyInput {
  ticketId: string;
  title: string;
  /** the ticket owner's email */
  to: string;
  /** MAIL_FROM */
  from: string;
  /** BASE_URL: the ticket's page is {baseUrl}/app/tickets/{id} */
  baseUrl: string;
  /** the reply as it was added (the text the customer sees) and who wrote it */
  body: string;
  authorName: string;
  /** the TeamReplyAdded event the email is for */
  eventId: string;
}

export const ticketPageUrl = (baseUrl: string, ticketId: string) => `${baseUrl}/app/tickets/${encodeURIComponent(ticketId)}`;

export function teamReplyEmail({ ticketId, title, to, from, baseUrl, body, authorName, eventId }: TeamReplyInput): OutgoingEmail {
  const cleanTitle = singleLine(title) || '(untitled)';
  const author = singleLine(authorName) || 'the team';
  const sender = cleanAddress(from);
  const domain = /@([A-Za-z0-9.-]+)$/.exec(sender)?.[1] ?? 'localhost';
  const link = ticketPageUrl(baseUrl, ticketId);
  const text = [`${author} replied to your support ticket "${cleanTitle}":`, '', body, '', `See the ticket and answer: ${link}`, '', '-- The support team', ''].join('\n');
  const html = [
    '<!doctype html>',
    '<html><body>',
    `<p>${escapeHtml(author)} replied to your support ticket <strong>${escapeHtml(cleanTitle)}</strong>:</p>`,
    `<blockquote style="white-space: pre-wrap">${escapeHtml(body)}</blockquote>`,
    `<p><a href="${escapeHtml(link)}">See the ticket and answer</a></p>`,
    '<p>-- The support team</p>',
    '</body></html>',
    '',
  ].join('\n');
  return { from: sender, to: cleanAddress(to), subject: `Re: ${cleanTitle}`, text, html, messageId: `<reply.${cleanAddress(eventId)}@${domain}>` };
}
