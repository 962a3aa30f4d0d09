import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { a11yViolations } from '../support/browser.js';
import { ADMIN, call, createRepo } from '../support/http.js';
import { deliverComment } from '../replies/support.js';
import { closedPayload, deliver, forgejoHeaders, linkedTicket } from '../webhooks/support.js';
import { conversation, customerAccount, fileTicket, h1, signedInPage, startWebStack, ticketItems, waitForText, type WebStack } from './support.js';

// axe-core on every page, in the states a user meets them in, and the customer's main path with the keyboard
// alone. No Forgejo here: the link and the team's reply are recorded directly, as from a webhook.

/** The accessible name of the focused element (its label, aria-label or text) and whether its focus is drawn. */
async function focused(page: Page): Promise<{ name: string; tag: string; visibleFocus: boolean }> {
  return (await page.evaluate(`(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { name: '', tag: 'body', visibleFocus: false };
    const label = el.labels && el.labels.length ? el.labels[0].innerText : '';
    const name = (label || el.getAttribute('aria-label') || el.innerText || el.value || '').trim();
    const style = getComputedStyle(el);
    const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return { name, tag: el.tagName.toLowerCase(), visibleFocus: outlined || style.boxShadow !== 'none' };
  })()`)) as { name: string; tag: string; visibleFocus: boolean };
}

/** Presses Tab until the focus is on the control named `name` (at most 40 times); its focus must be visible. */
async function tabTo(page: Page, name: string): Promise<void> {
  const seen: string[] = [];
  for (let presses = 0; presses < 40; presses++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    seen.push(`${now.tag}:${now.name.split('\n')[0]}`);
    if (now.name.split('\n')[0].trim() === name) {
      expect({ name, visibleFocus: now.visibleFocus }).toEqual({ name, visibleFocus: true });
      return;
    }
  }
  throw new Error(`Tab never reached "${name}"; it went through ${seen.join(' → ')}`);
}

describe('accessibility', () => {
  let stack: WebStack;
  let customer: { email: string; password: string; token: string };
  let openId: string;
  let closedId: string;

  const expectNoViolations = async (page: Page, what: string) => {
    expect({ page: what, violations: await a11yViolations(page) }).toEqual({ page: what, violations: [] });
  };

  beforeAll(async () => {
    stack = await startWebStack();
    await createRepo(stack.url, stack.adminToken, 'desk');
    customer = await customerAccount(stack.url, 'a11y');
    // a conversation with everything the page can show: the team's reply (edited), the customer's comment
    openId = await linkedTicket(stack.api, customer.token, 'desk', 42, 'Search finds nothing');
    await deliverComment(stack.url, 'desk', 'created', { issueNumber: 42, commentId: 90_001, body: '/reply Which words did you search for?' });
    await deliverComment(stack.url, 'desk', 'edited', { issueNumber: 42, commentId: 90_001, body: '/reply Which words did you search for, exactly?' });
    await call(stack.url, 'POST', `/tickets/${openId}/comments`, { token: customer.token, body: { body: '"invoice 2024"' } });
    closedId = await linkedTicket(stack.api, customer.token, 'desk', 43, 'Old report');
    const closed = closedPayload(43);
    await deliver(stack.url, 'desk', closed, forgejoHeaders('issues', 'issues', closed));
    await fileTicket(stack.url, customer.token, 'desk', 'Not yet synced');
  });
  afterEach(() => expect(stack.browser.problems.splice(0)).toEqual([]));
  afterAll(async () => {
    await stack?.close();
  });

  it('signed out: sign-in (also showing a bad-credentials alert) and register', async () => {
    const context = await stack.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.url}/app/sign-in`);
    await h1(page, 'Sign in').waitFor();
    await expectNoViolations(page, 'sign-in');
    await page.getByLabel('Email', { exact: true }).fill(customer.email);
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').waitFor();
    await expectNoViolations(page, 'sign-in with an alert');
    await page.goto(`${stack.url}/app/register`);
    await h1(page, 'Create account').waitFor();
    await expectNoViolations(page, 'register');
    await context.close();
  });

  it("a customer's pages: the list, a new ticket, an open and a closed ticket, a ticket not found", async () => {
    const { context, page } = await signedInPage(stack, customer.email, customer.password);
    await waitForText(ticketItems(page).first(), 'Not yet synced');
    await expectNoViolations(page, 'ticket list');
    await page.goto(`${stack.url}/app/tickets/new`);
    await h1(page, 'New ticket').waitFor();
    await page.getByLabel('Repository', { exact: true }).locator('option', { hasText: 'desk' }).waitFor({ state: 'attached' });
    await expectNoViolations(page, 'new ticket');
    await page.goto(`${stack.url}/app/tickets/${openId}`);
    await waitForText(conversation(page).nth(1), 'invoice 2024');
    await waitForText(conversation(page).first(), 'edited');
    await waitForText(conversation(page).first(), 'Team');
    await expectNoViolations(page, 'open ticket');
    await page.goto(`${stack.url}/app/tickets/${closedId}`);
    await page.getByRole('button', { name: 'Reopen' }).waitFor();
    await expectNoViolations(page, 'closed ticket');
    await page.goto(`${stack.url}/app/tickets/00000000-0000-4000-8000-000000000000`);
    await h1(page, 'Ticket not found').waitFor();
    await expectNoViolations(page, 'ticket not found');
    await context.close();
  });

  it("an admin's pages: repos, all tickets, a timeline, sync failures, rebuild with its result", async () => {
    const { context, page } = await signedInPage(stack, ADMIN.email, ADMIN.password);
    await page.goto(`${stack.url}/app/admin/repos`);
    await waitForText(page.getByRole('row').filter({ hasText: 'acme/support-desk' }), 'desk');
    await expectNoViolations(page, 'repos');
    await page.goto(`${stack.url}/app/admin/tickets`);
    await page.getByRole('row').filter({ hasText: 'Search finds nothing' }).waitFor();
    await expectNoViolations(page, 'all tickets');
    await page.goto(`${stack.url}/app/admin/tickets/${openId}`);
    await waitForText(page.getByRole('list', { name: 'Timeline' }).getByRole('listitem').first(), 'TicketCreated');
    await expectNoViolations(page, 'timeline');
    await page.goto(`${stack.url}/app/admin/sync-failures`);
    await h1(page, 'Sync failures').waitFor();
    await page.getByText('No sync failures').waitFor();
    await expectNoViolations(page, 'sync failures');
    await page.goto(`${stack.url}/app/admin/rebuild`);
    await page.getByRole('button', { name: 'Rebuild', exact: true }).click();
    await waitForText(page.getByRole('main'), /Replayed \d+ events in \d+ ms/, 30_000);
    await expectNoViolations(page, 'rebuild');
    await context.close();
  });

  it('with the keyboard alone: sign in, file a ticket, comment', async () => {
    const context = await stack.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.url}/app/sign-in`);
    await h1(page, 'Sign in').waitFor();
    await tabTo(page, 'Email');
    await page.keyboard.type(customer.email);
    await tabTo(page, 'Password');
    await page.keyboard.type(customer.password);
    await page.keyboard.press('Enter');
    await h1(page, 'Your tickets').waitFor();

    await tabTo(page, 'New ticket');
    await page.keyboard.press('Enter');
    await h1(page, 'New ticket').waitFor();
    await page.getByLabel('Repository', { exact: true }).locator('option', { hasText: 'desk' }).waitFor({ state: 'attached' });
    await tabTo(page, 'Repository');
    const repository = page.getByLabel('Repository', { exact: true });
    for (let presses = 0; presses < 5 && (await repository.inputValue()) !== 'desk'; presses++) await page.keyboard.press('ArrowDown');
    expect(await repository.inputValue()).toBe('desk');
    await tabTo(page, 'Title');
    await page.keyboard.type('Typed without a mouse');
    await tabTo(page, 'Description');
    await page.keyboard.type('Every step was a key press.');
    await tabTo(page, 'Create ticket');
    await page.keyboard.press('Enter');
    await h1(page, 'Typed without a mouse').waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/app\/tickets\/[0-9a-f-]{36}$/);

    await tabTo(page, 'Comment');
    await page.keyboard.type('And this comment too.');
    await tabTo(page, 'Add comment');
    await page.keyboard.press('Enter');
    await waitForText(conversation(page), 'And this comment too.');
    await context.close();
  });
});
