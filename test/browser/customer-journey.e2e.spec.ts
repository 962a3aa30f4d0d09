import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { BrowserContext, Page } from 'playwright-core';
import { PHONE, screenshot, scrollWidth } from '../support/browser.js';
import type { FakeIssue } from '../support/fake-forgejo.js';
import { call, createRepo } from '../support/http.js';
import { waitUntil } from '../support/wait.js';
import { deliverComment } from '../replies/support.js';
import { closedPayload, deliver, forgejoHeaders } from '../webhooks/support.js';
import { conversation, fileTicket, h1, markDocument, PASSWORD, startWebStack, ticketItems, waitForText, type WebStack } from './support.js';

// A customer's whole conversation, in the browser, against the real API and worker with the fake Forgejo: what
// the team does in Forgejo reaches the open page without a reload.
const TITLE = 'Checkout button does nothing';
// one unbroken 160-character word: the page must wrap it at a phone's width, not scroll sideways
const LONG_WORD = `https://shop.example.com/checkout?session=${'a1b2c3d4'.repeat(15)}`;
const DESCRIPTION = `Clicking "Pay now" on ${LONG_WORD} does nothing.\n\nSince this morning.`;
const REPLY = 'Thanks, we can reproduce it.\nA fix is on its way.';
const COMMENT = 'Great, thank you!';

describe('a customer in the browser', () => {
  let stack: WebStack;
  let context: BrowserContext;
  let page: Page;
  // a database of this file's own: a plain address reads better in the screenshots
  const email = 'dana@example.com';
  let ticketId: string;
  let issue: FakeIssue;
  let releaseIssue: () => void;

  beforeAll(async () => {
    stack = await startWebStack({ sync: true });
    await createRepo(stack.url, stack.adminToken, 'other-desk');
    await createRepo(stack.url, stack.adminToken, 'desk');
    // the fake Forgejo holds its answer to the first issue until the page has shown that it is not there yet
    const held = new Promise<void>((resolve) => (releaseIssue = resolve));
    stack.forgejo!.onIssueCreated = () => held;
    context = await stack.browser.newContext();
    page = await context.newPage();
  });
  afterEach(() => {
    expect(stack.browser.problems.splice(0)).toEqual([]);
    expect(stack.forgejo!.violations).toEqual([]);
  });
  afterAll(async () => {
    releaseIssue?.();
    await stack?.close();
  });

  it('signs up and lands on an empty ticket list', async () => {
    await page.goto(`${stack.url}/`);
    await h1(page, 'Sign in').waitFor();
    await page.getByRole('link', { name: 'Create account' }).click();
    await h1(page, 'Create account').waitFor();
    expect(new URL(page.url()).pathname).toBe('/app/register');
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await h1(page, 'Your tickets').waitFor();
    expect(new URL(page.url()).pathname).toBe('/app/tickets');
    await page.getByText('No tickets yet').waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allInnerTexts()).toEqual(['Tickets', 'New ticket']);
    await nav.getByRole('button', { name: 'Sign out' }).waitFor();
  });

  it('files a ticket, choosing the repository, and sees it linked to its Forgejo issue without a reload', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New ticket' }).click();
    await h1(page, 'New ticket').waitFor();
    const repository = page.getByLabel('Repository', { exact: true });
    expect((await repository.locator('option').allInnerTexts()).filter((t) => t !== '' && !/choose|select/i.test(t)).sort()).toEqual(['desk', 'other-desk']);
    await repository.selectOption({ label: 'desk' });
    await page.getByLabel('Title', { exact: true }).fill(TITLE);
    await page.getByLabel('Description', { exact: true }).fill(DESCRIPTION);
    await page.getByRole('button', { name: 'Create ticket' }).click();
    await page.waitForURL(/\/app\/tickets\/[0-9a-f-]{36}$/);
    ticketId = new URL(page.url()).pathname.split('/').pop()!;
    await h1(page, TITLE).waitFor();
    await waitForText(page.getByTestId('ticket-status'), /^Open$/);
    await waitForText(page.getByTestId('forgejo-state'), 'Not yet in Forgejo');
    await page.getByText('Since this morning.').waitFor();
    const sameDocument = await markDocument(page);

    releaseIssue();
    await waitForText(page.getByTestId('forgejo-state'), 'Forgejo #1', 20_000);
    expect(await sameDocument()).toBe(true);
    issue = stack.forgejo!.issues.find((i) => i.title === TITLE)!;
    expect(issue.repo).toBe('acme/support-desk');
    expect(issue.body.startsWith(DESCRIPTION)).toBe(true);
    expect((await call(stack.url, 'GET', `/admin/tickets/${ticketId}/history`, { token: stack.adminToken })).body.events[0].data.repo).toBe('desk');
  });

  it("sees the team's reply, sent as a signed webhook, appear within 15 s, marked Team", async () => {
    const sameDocument = await markDocument(page);
    const comment = stack.forgejo!.teamComment(issue, `/reply ${REPLY}`, { login: 'jdoe', full_name: 'Jane Doe' });
    const delivered = await deliverComment(stack.url, 'desk', 'created', { issueNumber: issue.number, commentId: comment.id, body: `/reply ${REPLY}` });
    expect(delivered.body).toEqual({ result: 'reply' });

    const items = conversation(page);
    await waitForText(items, 'A fix is on its way.', 15_000);
    expect(await sameDocument()).toBe(true);
    expect(await items.count()).toBe(1);
    const reply = items.first();
    await waitForText(reply, 'Team');
    await waitForText(reply, 'Jane Doe');
    expect(await reply.locator('time[datetime]').count()).toBe(1);
    // the body is shown as written, line break included
    expect(await reply.innerText()).toContain('Thanks, we can reproduce it.\nA fix is on its way.');
    // the reply's email links to this very page
    const mail = await waitUntil(() => stack.smtp!.mailsTo(email).find((m) => m.subject === `Re: ${TITLE}`), { timeoutMs: 30_000, what: 'the reply email' });
    expect(mail!.text).toContain(page.url());
  });

  it('adds a comment, which joins the conversation after the reply and reaches Forgejo', async () => {
    await page.getByLabel('Comment', { exact: true }).fill(COMMENT);
    await page.getByRole('button', { name: 'Add comment' }).click();
    const items = conversation(page);
    await waitForText(items.nth(1), COMMENT);
    expect(await items.count()).toBe(2);
    await waitForText(items.nth(1), email);
    expect(await items.nth(1).innerText()).not.toMatch(/\bTeam\b/);
    expect(await page.getByLabel('Comment', { exact: true }).inputValue()).toBe('');
    await waitUntil(() => stack.forgejo!.comments.some((c) => c.issue === issue.number && c.body.startsWith(`${COMMENT}\n\n`)), { timeoutMs: 20_000, what: 'the comment mirrored to Forgejo' });
  });

  it('sees the ticket closed by a signed issues/closed webhook without a reload, and gets the resolved email', async () => {
    const sameDocument = await markDocument(page);
    await page.getByRole('button', { name: 'Reopen' }).waitFor({ state: 'detached' });
    stack.forgejo!.closeIssue(issue);
    const body = closedPayload(issue.number);
    expect((await deliver(stack.url, 'desk', body, forgejoHeaders('issues', 'issues', body))).status).toBe(200);
    await waitForText(page.getByTestId('ticket-status'), /^Closed$/, 15_000);
    await page.getByRole('button', { name: 'Reopen' }).waitFor();
    expect(await sameDocument()).toBe(true);
    const mail = await waitUntil(() => stack.smtp!.mailsTo(email).find((m) => m.subject.includes(TITLE) && !m.subject.startsWith('Re: ')), { timeoutMs: 30_000, what: 'the resolved email' });
    expect(mail!.text).toContain(`${stack.url}/tickets/${ticketId}/reopen?token=`);
  });

  it('reopens it with "Reopen": Open again, and the Forgejo issue reopened', async () => {
    await page.getByRole('button', { name: 'Reopen' }).click();
    await waitForText(page.getByTestId('ticket-status'), /^Open$/);
    await page.getByRole('button', { name: 'Reopen' }).waitFor({ state: 'detached' });
    await waitUntil(() => issue.state === 'open', { timeoutMs: 20_000, what: 'the Forgejo issue reopened' });
    await page.reload();
    await waitForText(page.getByTestId('ticket-status'), /^Open$/);
    await screenshot(page, 'customer-ticket');
  });

  it('lists the ticket, newest first, with its status and Forgejo state', async () => {
    const login = await call(stack.url, 'POST', '/auth/login', { body: { email, password: PASSWORD } });
    await fileTicket(stack.url, login.body.token, 'other-desk', 'A second one', 'Newer.');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tickets' }).click();
    await h1(page, 'Your tickets').waitFor();
    const items = ticketItems(page);
    await waitForText(items.first(), 'A second one');
    expect(await items.count()).toBe(2);
    await waitForText(items.nth(1), TITLE);
    await waitForText(items.nth(1), 'Open');
    await waitForText(items.nth(1), 'Forgejo #1');
    expect(await items.nth(1).getByRole('link', { name: TITLE }).getAttribute('href')).toBe(`/app/tickets/${ticketId}`);
  });

  it('at 390 px wide: the list and the ticket page do not scroll sideways', async () => {
    const phone = await stack.browser.newContext({ viewport: PHONE, storageState: await context.storageState() });
    const small = await phone.newPage();
    await small.goto(`${stack.url}/app/tickets`);
    await waitForText(ticketItems(small).nth(1), TITLE);
    expect(await scrollWidth(small)).toBeLessThanOrEqual(PHONE.width);
    await small.goto(`${stack.url}/app/tickets/${ticketId}`);
    await waitForText(conversation(small).nth(1), COMMENT);
    await small.getByText('Since this morning.').waitFor();
    expect(await scrollWidth(small)).toBeLessThanOrEqual(PHONE.width);
    await screenshot(small, 'ticket-page-390');
    await phone.close();
  });

  it('signs out: back to the sign-in page, and the session is over on the server too', async () => {
    const cookie = (await context.cookies(stack.url)).find((c) => c.name === 'tb_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Sign out' }).click();
    await h1(page, 'Sign in').waitFor();
    expect(new URL(page.url()).pathname).toBe('/app/sign-in');
    expect((await call(stack.url, 'GET', '/auth/me', { headers: { cookie: `tb_session=${cookie!.value}` } })).status).toBe(401);
    await page.goto(`${stack.url}/app/tickets/${ticketId}`);
    await h1(page, 'Sign in').waitFor();
  });
});
