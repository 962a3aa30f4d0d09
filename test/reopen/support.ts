import type { TestApi } from '../support/api.js';
import { closedPayload, deliver, fixture, forgejoHeaders } from '../webhooks/support.js';

/** A signed issues/reopened delivery like Forgejo's, for issue `issueNumber` of acme/support-desk. */
export function reopenedPayload(issueNumber: number, login = 'jdoe'): string {
  const template = JSON.parse(fixture('issues-reopened').toString('utf8'));
  template.number = issueNumber;
  template.issue.number = issueNumber;
  template.issue.state = 'open';
  template.sender.login = login;
  return JSON.stringify(template, null, 2);
}

export const closeFromForgejo = (api: TestApi, slug: string, issueNumber: number) => {
  const body = closedPayload(issueNumber);
  return deliver(api.url, slug, body, forgejoHeaders('issues', 'issues', body));
};

export const reopenFromForgejo = (api: TestApi, slug: string, issueNumber: number) => {
  const body = reopenedPayload(issueNumber);
  return deliver(api.url, slug, body, forgejoHeaders('issues', 'issues', body));
};

/** The reopen link in a resolved email's text, as the path and query to call on `api`. */
export function reopenLinkIn(text: string, ticketId: string): { url: string; path: string; token: string } {
  const found = new RegExp(`(https?://\\S+?)(/tickets/${ticketId}/reopen\\?token=(\\S+))`).exec(text);
  if (!found) throw new Error(`no reopen link for ${ticketId} in:\n${text}`);
  return { url: found[0], path: found[2], token: decodeURIComponent(found[3]) };
}

/** POSTs the link's form, as the page's button does: application/x-www-form-urlencoded, no sign-in. */
export async function pressReopen(baseUrl: string, ticketId: string, token: string): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(`${baseUrl}/tickets/${ticketId}/reopen`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

export async function openLink(baseUrl: string, path: string): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(`${baseUrl}${path}`);
  return { status: response.status, text: await response.text(), headers: response.headers };
}
