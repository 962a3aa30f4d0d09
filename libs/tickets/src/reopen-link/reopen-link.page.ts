/*
 * Pure: the pages of the reopen link. Plain HTML, no script and no inline style, so that the strictest
 * Content-Security-Policy holds; the one button is a form that posts the token back.
 */

export interface ReopenLinkPage {
  status: number;
  html: string;
}

/** default-src 'none': nothing loads; the form may only post back to this service. */
export const REOPEN_PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  // the token is in the URL: never cached, never sent on as a referrer
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
} as const;

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(status: number, heading: string, body: string): ReopenLinkPage {
  const html = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(heading)}</title></head>`,
    `<body><h1>${escapeHtml(heading)}</h1>`,
    body,
    '</body></html>',
    '',
  ].join('\n');
  return { status, html };
}

/** The link is good: what pressing the button will do. */
export function confirmPage(ticketId: string, title: string, token: string): ReopenLinkPage {
  return page(
    200,
    'Reopen your ticket?',
    [
      `<p>Your support ticket <strong>${escapeHtml(title)}</strong> was resolved and closed.</p>`,
      '<p>If the problem is still there, press the button: the ticket opens again and the team is told.</p>',
      `<form method="post" action="/tickets/${escapeHtml(ticketId)}/reopen">`,
      `<input type="hidden" name="token" value="${escapeHtml(token)}">`,
      '<button type="submit">Reopen</button>',
      '</form>',
    ].join('\n'),
  );
}

export function reopenedPage(title: string): ReopenLinkPage {
  return page(200, 'Your ticket is open again', `<p>Your support ticket <strong>${escapeHtml(title)}</strong> has been reopened. The team has been told.</p>`);
}

export function invalidLinkPage(): ReopenLinkPage {
  return page(403, 'This link is not valid', '<p>This reopen link is not valid. Use the link from your most recent email exactly as it is.</p>');
}

export function expiredLinkPage(): ReopenLinkPage {
  return page(410, 'This link has expired', '<p>Reopen links work for 30 days after a ticket is closed. Please file a new ticket.</p>');
}

export function usedLinkPage(): ReopenLinkPage {
  return page(410, 'This link has already been used', '<p>This ticket has been reopened since this link was sent, so the link no longer works.</p>');
}
